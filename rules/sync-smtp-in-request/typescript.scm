; ---- findings -----------------------------------------------------------------------------
; The names come from the models: a mail client constructor that connects to an SMTP server
; (nodemailer's createTransport), a call that sends one message (sendMail). rule.ts resolves each.

; nodemailer.createTransport(...), mailer.createTransport(...), require('nodemailer').createTransport(...)
((call_expression
   function: (member_expression
     object: [(identifier) (call_expression)] @mod
     property: (property_identifier) @fn)) @match
 (#model? @fn "effect:smtp-connect")
 (#is? inside-function match))

; createTransport(...) imported from nodemailer
((call_expression
   function: (identifier) @fn) @match
 (#model? @fn "effect:smtp-connect")
 (#is? inside-function match))

; await transporter.sendMail(...) inside a loop
((await_expression
   (call_expression
     function: (member_expression property: (property_identifier) @fn)) @match)
 (#model? @fn "effect:mail-send")
 (#is? inside-loop match))
