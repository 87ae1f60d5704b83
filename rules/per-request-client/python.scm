; ---- facts --------------------------------------------------------------------------------

; The pools pool-unconfigured reports too: it leaves the ones created per request to this rule.
((call function: (identifier) @name) @key
 (#model? @name "effect:client")
 (#set! fact per-request-client))
((call function: (attribute attribute: (identifier) @name)) @key
 (#model? @name "effect:client")
 (#set! fact per-request-client))

; ---- findings -----------------------------------------------------------------------------

; A client, pool or connection constructor the models know, by its imported name or through its
; module: AsyncIOMotorClient(...), create_engine(...), httpx.AsyncClient(...), Redis.from_url(...),
; psycopg2.connect(...). rule.ts resolves it (a project's function of that name is not the
; library's) and reads what it builds from its model row.
((call function: (identifier) @name) @match
 (#model? @name "effect:client"))

((call function: (attribute attribute: (identifier) @name)) @match
 (#model? @name "effect:client"))
