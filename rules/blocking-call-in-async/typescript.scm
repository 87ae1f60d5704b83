; ---- findings -----------------------------------------------------------------------------
; The names are the models' sync calls that block the event loop: file access, subprocesses,
; deliberately slow CPU work (fs.readFileSync, execSync, crypto.pbkdf2Sync, bcrypt.hashSync).
; rule.ts resolves each call (imports, require) and keeps those that are the library's.

; fs.readFileSync(...), cp.execSync(...), crypto.pbkdf2Sync(...), bcrypt.hashSync(...), require('fs').statSync(...)
((call_expression
   function: (member_expression
     object: [(identifier) (call_expression)] @obj
     property: (property_identifier) @fn)) @match
 (#model? @fn "effect:blocking-io effect:subprocess effect:cpu-heavy")
 (#is? inside-function match))

; readFileSync(...), execSync(...) imported by name
((call_expression
   function: (identifier) @fn) @match
 (#model? @fn "effect:blocking-io effect:subprocess effect:cpu-heavy")
 (#is? inside-function match))
