; ---- facts --------------------------------------------------------------------------------

; import nodemailer from 'nodemailer' / import * as mailer from 'nodemailer'  (keyed "name.")
((import_statement
   (import_clause [(identifier) @key (namespace_import (identifier) @key)])
   source: (string (string_fragment) @src))
 (#eq? @src "nodemailer")
 (#set! fact ts-nodemailer-module))
; import mailer = require('nodemailer')
((import_statement
   (import_require_clause (identifier) @key source: (string (string_fragment) @src)))
 (#eq? @src "nodemailer")
 (#set! fact ts-nodemailer-module))
; const mailer = require('nodemailer')
((variable_declarator
   name: (identifier) @key
   value: (call_expression function: (identifier) @req arguments: (arguments . (string (string_fragment) @src))))
 (#eq? @req "require")
 (#eq? @src "nodemailer")
 (#set! fact ts-nodemailer-module))

; import { createTransport } from 'nodemailer'
((import_statement
   (import_clause (named_imports (import_specifier name: (identifier) @key !alias)))
   source: (string (string_fragment) @src))
 (#eq? @src "nodemailer")
 (#eq? @key "createTransport")
 (#set! fact ts-nodemailer-import))
; const { createTransport } = require('nodemailer')
((variable_declarator
   name: (object_pattern (shorthand_property_identifier_pattern) @key)
   value: (call_expression function: (identifier) @req arguments: (arguments . (string (string_fragment) @src))))
 (#eq? @req "require")
 (#eq? @src "nodemailer")
 (#eq? @key "createTransport")
 (#set! fact ts-nodemailer-import))

; ---- findings -----------------------------------------------------------------------------

; nodemailer.createTransport(...), mailer.createTransport(...), require('nodemailer').createTransport(...)
((call_expression
   function: (member_expression
     object: [(identifier) (call_expression)] @mod
     property: (property_identifier) @fn)) @match
 (#eq? @fn "createTransport")
 (#is? inside-function match))

; createTransport(...) imported from nodemailer
((call_expression
   function: (identifier) @fn) @match
 (#eq? @fn "createTransport")
 (#is? inside-function match))

; await transporter.sendMail(...) inside a loop
((await_expression
   (call_expression
     function: (member_expression property: (property_identifier) @fn)) @match)
 (#eq? @fn "sendMail")
 (#is? inside-loop match))
