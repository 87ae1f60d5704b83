; ---------------------------------------------------------------------------------------------
; Facts: the limiter packages the file imports (rule.ts maps each path to a library).
((import_spec path: (interpreted_string_literal) @path)
 (#match? @path "golang.org/x/time/rate|go.uber.org/ratelimit|juju/ratelimit|didip/tollbooth|ulule/limiter|go-chi/httprate|labstack/echo|gofiber/fiber")
 (#set! fact "rate-limiter.import"))

; Facts: a struct type that holds a token bucket: type visitor struct { limiter *rate.Limiter; ... }
((type_spec
   name: (type_identifier) @key
   type: (struct_type
     (field_declaration_list
       (field_declaration type: [(pointer_type (qualified_type) @field) (qualified_type) @field]))))
 (#match? @field "^(rate[.]Limiter|ratelimit[.]Limiter|ratelimit[.]Bucket)$")
 (#set! fact "rate-limiter.limiter-struct"))

; ---------------------------------------------------------------------------------------------
; Findings: a map of limiters (map[string]*rate.Limiter) or of structs holding one (map[string]*visitor)
((map_type
   value: [(pointer_type [(qualified_type) (type_identifier)] @value)
           (qualified_type) @value
           (type_identifier) @value]) @match)

; tollbooth.NewLimiter, memory.NewStore (ulule), httprate.LimitByIP, middleware.NewRateLimiterMemoryStore (Echo)
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @match
 (#any-of? @fn "NewLimiter" "NewStore" "NewStoreWithOptions" "LimitByIP" "LimitByRealIP" "LimitAll" "NewRateLimiter" "NewRateLimiterMemoryStore" "NewRateLimiterMemoryStoreWithConfig"))

; limiter.New(limiter.Config{...}) (Fiber, tollbooth), httprate.Limit(...)
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @match
 (#any-of? @fn "New" "Limit")
 (#any-of? @pkg "limiter" "httprate"))

; Evidence for the readiness model: rate-limit counts kept in Redis (go-redis/redis_rate, ulule's redis store).
((call_expression
   function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)) @evidence
 (#any-of? @pkg "redis_rate" "sredis")
 (#any-of? @fn "NewLimiter" "NewStore" "NewStoreWithOptions")
 (#set! evidence "rate limits kept in Redis"))
