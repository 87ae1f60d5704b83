; ---- facts --------------------------------------------------------------------------------

; from smtplib import SMTP, SMTP_SSL
((import_from_statement
   module_name: (dotted_name) @mod
   name: (dotted_name) @key)
 (#eq? @mod "smtplib")
 (#any-of? @key "SMTP" "SMTP_SSL")
 (#set! fact py-smtp-import))

; from smtplib import SMTP as Mailer
((import_from_statement
   module_name: (dotted_name) @mod
   name: (aliased_import name: (dotted_name) @orig alias: (identifier) @key))
 (#eq? @mod "smtplib")
 (#any-of? @orig "SMTP" "SMTP_SSL")
 (#set! fact py-smtp-import))

; import smtplib as mail  (keyed "mail.")
((import_statement
   name: (aliased_import name: (dotted_name) @mod alias: (identifier) @key))
 (#eq? @mod "smtplib")
 (#set! fact py-smtp-module))

; a sync function of this file that opens an SMTP connection: keyed by its name
((call
   function: (attribute object: (identifier) @mod attribute: (identifier) @ctor)) @use
 (#eq? @mod "smtplib")
 (#any-of? @ctor "SMTP" "SMTP_SSL")
 (#set! fact py-smtp-helper))
((call
   function: (identifier) @ctor) @use
 (#any-of? @ctor "SMTP" "SMTP_SSL")
 (#set! fact py-smtp-helper-bare))

; SMTP / SMTP_SSL imported from another module (aiosmtplib): a bare SMTP(...) in a helper is not smtplib's
((import_from_statement
   module_name: (_) @mod
   name: (dotted_name) @key)
 (#not-eq? @mod "smtplib")
 (#any-of? @key "SMTP" "SMTP_SSL")
 (#set! fact py-smtp-foreign))
((import_from_statement
   module_name: (_) @mod
   name: (aliased_import alias: (identifier) @key))
 (#not-eq? @mod "smtplib")
 (#any-of? @key "SMTP" "SMTP_SSL")
 (#set! fact py-smtp-foreign))

; a function handed to a thread, an executor or a background task: to_thread(send, ...),
; run_in_executor(None, send, ...), background_tasks.add_task(send, ...), sync_to_async(send)
((call
   function: (attribute attribute: (identifier) @how)
   arguments: (argument_list . [(identifier) (attribute)] @key))
 (#any-of? @how "to_thread" "add_task" "run_sync" "submit" "run_in_threadpool" "sync_to_async")
 (#set! fact py-smtp-handoff))
((call
   function: (identifier) @how
   arguments: (argument_list . [(identifier) (attribute)] @key))
 (#any-of? @how "to_thread" "run_in_threadpool" "sync_to_async")
 (#set! fact py-smtp-handoff))
((call
   function: (attribute attribute: (identifier) @how)
   arguments: (argument_list . (_) . [(identifier) (attribute)] @key))
 (#eq? @how "run_in_executor")
 (#set! fact py-smtp-handoff))

; ---- findings -----------------------------------------------------------------------------

; smtplib.SMTP(...), smtplib.SMTP_SSL(...), mail.SMTP(...) after `import smtplib as mail`
((call
   function: (attribute object: (identifier) @mod attribute: (identifier) @ctor)) @match
 (#any-of? @ctor "SMTP" "SMTP_SSL"))

; SMTP(...), SMTP_SSL(...), SmtpClient(...): a name that may be imported from smtplib
((call
   function: (identifier) @ctor) @match
 (#match? @ctor "[Ss][Mm][Tt][Pp]")
 (#set! gate "SMTP smtp Smtp"))

; A call to a helper of this file that sends mail, as a statement, an assigned value or a returned
; value: send_welcome(...), ok = send_welcome(...), return self.deliver(...)
; A helper sends mail only through an SMTP connection opened in this file (rule.ts requires that fact):
; files that never mention SMTP skip these patterns, which match every call statement.
((expression_statement
  (call function: [(identifier) @callee (attribute object: (identifier) @self attribute: (identifier) @callee)]) @match)
 (#set! gate "SMTP smtp Smtp"))
((expression_statement
  (assignment right: (call function: [(identifier) @callee (attribute object: (identifier) @self attribute: (identifier) @callee)]) @match))
 (#set! gate "SMTP smtp Smtp"))
((return_statement
  (call function: [(identifier) @callee (attribute object: (identifier) @self attribute: (identifier) @callee)]) @match)
 (#set! gate "SMTP smtp Smtp"))
