; A call of a client or pool constructor the models know, by its imported or qualified name:
; create_engine(...), sa.create_engine(...), AsyncIOMotorClient(...), motor.motor_asyncio.AsyncIOMotorClient(...).
; rule.ts resolves the callee (a project's own function of that name is not the library's) and
; reads the pool's options, URL and default from its model row.
((call
   function: (identifier) @name
   arguments: (argument_list)) @match
 (#model? @name "effect:client"))

((call
   function: (attribute attribute: (identifier) @name)
   arguments: (argument_list)) @match
 (#model? @name "effect:client"))

; DATABASE_URL = "sqlite:///./app.db", database_url: str = "sqlite://", URL = os.getenv("URL", "sqlite://"):
; a connection URL kept in a name (rule.ts keeps those the models call an embedded database).
((assignment
   left: [(identifier) (attribute)] @key
   right: [(string) (call arguments: (argument_list [(string) (keyword_argument value: (string))]))] @value)
 (#match? @value "://")
 (#set! fact py-embedded-url))

; `while True:` at module level: the module never finishes importing, so no server imports it: it
; is a script run on its own (a wait-for-database loop), and the size of its pool does not matter.
((while_statement condition: (true) @cond) @key
 (#eq? @cond "True")
 (#is? module-level key)
 (#set! fact py-script-module))

; Evidence for the readiness model: a client whose pool is sized.
((call
   function: [(identifier) @ctor (attribute attribute: (identifier) @ctor)]
   arguments: (argument_list (keyword_argument name: (identifier) @kw))) @evidence
 (#model? @ctor "effect:client")
 (#any-of? @kw "{{pool-sizers}}")
 (#set! evidence "connection pool sized"))

; The same under another name: a wrapper that imports the constructor as an alias
; (`from sqlalchemy.ext.asyncio import create_async_engine as _engine`), by resolution.
((call
   function: (identifier)
   arguments: (argument_list (keyword_argument name: (identifier) @kw))) @evidence
 (#any-of? @kw "{{pool-sizers}}")
 (#is? constructs-client evidence)
 (#set! evidence "connection pool sized"))
