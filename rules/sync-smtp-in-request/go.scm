; smtp.SendMail(addr, auth, from, to, msg), gomail / go-mail d.DialAndSend(m): the models' calls
; that connect to a mail server and send (rule.ts resolves each, so a project's own `SendMail`
; is not one).
((call_expression
   function: (selector_expression field: (field_identifier) @fn)) @match
 (#model? @fn "effect:smtp-connect")
 (#is? inside-function match))
