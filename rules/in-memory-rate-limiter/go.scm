; ---------------------------------------------------------------------------------------------
; Facts: a struct type that holds a process-local token bucket (a type the models give a process
; state and a rate-limit member): type visitor struct { limiter *rate.Limiter; ... }
((type_spec
   name: (type_identifier) @key
   type: (struct_type
     (field_declaration_list
       (field_declaration type: [(pointer_type (qualified_type name: (type_identifier) @tname) @field) (qualified_type name: (type_identifier) @tname) @field]))))
 (#state-types? @tname "scope:process effect:rate-limit")
 (#set! fact "rate-limiter.limiter-struct"))

; ---------------------------------------------------------------------------------------------
; Findings: a map of limiters (map[string]*rate.Limiter) or of structs holding one (map[string]*visitor)
((map_type
   value: [(pointer_type [(qualified_type) (type_identifier)] @value)
           (qualified_type) @value
           (type_identifier) @value]) @match)

; Findings: a limiter or limit store the models know (tollbooth, ulule's memory store, httprate, Echo's
; and Fiber's memory stores): rule.ts resolves it and judges it by the state the model gives it.
((call_expression
   function: (selector_expression operand: (identifier) field: (field_identifier) @fn)) @match
 (#state-symbols? @fn "effect:rate-limit"))

; Evidence for the readiness model: rate-limit counts kept in Redis (go-redis/redis_rate, ulule's redis store).
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @evidence
 (#state-packages? @pkg "scope:shared effect:rate-limit")
 (#state-symbols? @fn "scope:shared effect:rate-limit")
 (#set! evidence "rate limits kept in Redis"))
