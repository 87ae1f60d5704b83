; ---- facts --------------------------------------------------------------------------------

; The pools pool-unconfigured reports too: it leaves the ones opened per request to this rule.
((call_expression
   function: (selector_expression field: (field_identifier) @fn)) @key
 (#model? @fn "effect:client")
 (#set! fact per-request-client))

; ---- findings -----------------------------------------------------------------------------

; A client or pool opener the models know: sql.Open, sqlx.Connect, gorm.Open, pgxpool.New,
; pgx.Connect, redis.NewClient, mongo.Connect, and http.DefaultTransport.(*http.Transport).Clone()
((call_expression
   function: (selector_expression field: (field_identifier) @fn)) @match
 (#model? @fn "effect:client"))

; &http.Transport{...}: a type whose literal is a connection pool (an http.Client on its own is not)
((composite_literal
   type: (qualified_type name: (type_identifier) @type)) @match
 (#model? @type "effect:client"))
