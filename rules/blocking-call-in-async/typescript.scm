; ---- facts --------------------------------------------------------------------------------
; Which local names are the blocking modules: rule.ts names each fact `ts-mod:<group>` (the module
; under a name) or `ts-named:<group>` (a function imported by name), keyed by the local name.

; import fs from 'fs' / import * as cp from 'node:child_process'
((import_statement
   (import_clause [(identifier) @key (namespace_import (identifier) @key)])
   source: (string (string_fragment) @src))
 (#any-of? @src "fs" "node:fs" "fs-extra" "graceful-fs" "child_process" "node:child_process" "crypto" "node:crypto" "bcrypt" "bcryptjs")
 (#set! fact ts-module))

; import fs = require('fs')
((import_statement
   (import_require_clause (identifier) @key source: (string (string_fragment) @src)))
 (#any-of? @src "fs" "node:fs" "fs-extra" "graceful-fs" "child_process" "node:child_process" "crypto" "node:crypto" "bcrypt" "bcryptjs")
 (#set! fact ts-module))

; const fs = require('fs')
((variable_declarator
   name: (identifier) @key
   value: (call_expression function: (identifier) @req arguments: (arguments . (string (string_fragment) @src))))
 (#eq? @req "require")
 (#any-of? @src "fs" "node:fs" "fs-extra" "graceful-fs" "child_process" "node:child_process" "crypto" "node:crypto" "bcrypt" "bcryptjs")
 (#set! fact ts-module))

; import { readFileSync } from 'fs'  (not aliased: the call is found by its `...Sync` name)
((import_statement
   (import_clause (named_imports (import_specifier name: (identifier) @key !alias)))
   source: (string (string_fragment) @src))
 (#any-of? @src "fs" "node:fs" "fs-extra" "graceful-fs" "child_process" "node:child_process" "crypto" "node:crypto" "bcrypt" "bcryptjs")
 (#set! fact ts-named))

; const { execSync } = require('child_process')
((variable_declarator
   name: (object_pattern (shorthand_property_identifier_pattern) @key)
   value: (call_expression function: (identifier) @req arguments: (arguments . (string (string_fragment) @src))))
 (#eq? @req "require")
 (#any-of? @src "fs" "node:fs" "fs-extra" "graceful-fs" "child_process" "node:child_process" "crypto" "node:crypto" "bcrypt" "bcryptjs")
 (#set! fact ts-named))

; ---- findings -----------------------------------------------------------------------------

; fs.readFileSync(...), cp.execSync(...), crypto.pbkdf2Sync(...), bcrypt.hashSync(...), require('fs').statSync(...)
((call_expression
   function: (member_expression
     object: [(identifier) (call_expression)] @obj
     property: (property_identifier) @fn)) @match
 (#match? @fn "Sync$")
 (#is? inside-function match))

; readFileSync(...), execSync(...) imported by name
((call_expression
   function: (identifier) @fn) @match
 (#match? @fn "Sync$")
 (#is? inside-function match))
