; smtp.SendMail(addr, auth, from, to, msg)
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @match
 (#eq? @pkg "smtp")
 (#eq? @fn "SendMail")
 (#is? inside-function match))

; gomail / go-mail: d.DialAndSend(m)
((call_expression
   function: (selector_expression field: (field_identifier) @fn)) @match
 (#eq? @fn "DialAndSend")
 (#is? inside-function match))
