; ---- facts --------------------------------------------------------------------------------
; The names come from the models; rule.ts resolves every call (imports of every form, aliases,
; the project's own `SMTP`, aiosmtplib's) before it believes one.

; a sync function of this file that opens an SMTP connection: keyed by its name in rule.ts
((call
   function: (attribute attribute: (identifier) @ctor)) @use
 (#model? @ctor "effect:smtp-connect")
 (#set! fact py-smtp-helper))
((call
   function: (identifier) @ctor) @use
 (#match? @ctor "[Ss][Mm][Tt][Pp]")
 (#set! gate "SMTP smtp Smtp")
 (#set! fact py-smtp-helper))

; a function handed to a thread, an executor or a background task (the models' hand-offs and
; their callback argument): to_thread(send, ...), run_in_executor(None, send, ...),
; background_tasks.add_task(send, ...), sync_to_async(send)
((call
   function: (attribute attribute: (identifier) @how)
   arguments: (argument_list) @args)
 (#model? @how "effect:to-thread effect:enqueue effect:defer")
 (#set! fact py-smtp-handoff))
((call
   function: (identifier) @how
   arguments: (argument_list) @args)
 (#model? @how "effect:to-thread effect:enqueue effect:defer")
 (#set! fact py-smtp-handoff))

; ---- findings -----------------------------------------------------------------------------

; smtplib.SMTP(...), smtplib.SMTP_SSL(...), mail.SMTP(...) after `import smtplib as mail`
((call
   function: (attribute attribute: (identifier) @ctor)) @match
 (#model? @ctor "effect:smtp-connect"))

; SMTP(...), SMTP_SSL(...), SecureSMTP(...) after `from smtplib import SMTP_SSL as SecureSMTP`: a name that
; may be imported from smtplib (rule.ts resolves it)
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
