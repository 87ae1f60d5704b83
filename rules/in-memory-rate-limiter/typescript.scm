; ---------------------------------------------------------------------------------------------
; Findings: a limiter or limit store the models know: rateLimit({...}) / slowDown({...}) under the name
; the file gives the default export (judged by resolution; the names are how such factories are
; called), erl.rateLimit(...) through a namespace, new RateLimiterMemory(...), new MemoryStore(),
; fastify.register(rateLimit, {...}). rule.ts resolves each and judges it by the state the model gives it.
((call_expression function: (identifier) @fn arguments: (arguments)) @match
 (#match? @fn "[Ll]imit|[Ss]low|[Tt]hrottl"))

((call_expression
   function: (member_expression object: (identifier) @ns property: (property_identifier) @fn)
   arguments: (arguments)) @match
 (#state-symbols? @fn "effect:rate-limit"))

((new_expression constructor: (identifier) @ctor) @match
 (#state-symbols? @ctor "effect:rate-limit"))

((new_expression constructor: (member_expression object: (identifier) @ns property: (property_identifier) @ctor)) @match
 (#state-symbols? @ctor "effect:rate-limit"))

((call_expression
   function: (member_expression property: (property_identifier) @register)
   arguments: (arguments . (identifier) @plugin)) @match
 (#model? @register "type:fastify.FastifyInstance"))

; ---------------------------------------------------------------------------------------------
; Facts: a process-local limiter handed to a shared one as the fallback it uses while its store is
; down (the options the models list as `fallbackBy`: rate-limiter-flexible's insuranceLimiter),
; keyed by the name it was bound to.
((pair
   key: (property_identifier) @opt
   value: [(identifier) (member_expression)] @key) @fallback
 (#state-options? @opt "fallbackBy")
 (#set! fact "rate-limiter.fallback"))

; ---------------------------------------------------------------------------------------------
; Findings (when the file fills them per client address): a store at module level, on a class or
; instance, or in a factory's closure: a Map, a process-local cache of the models, an object literal.
; const hits = new Map<string, number[]>() / new LRUCache(...)
((variable_declarator name: (identifier) @name value: (new_expression constructor: (identifier) @ctor) @value) @match
 (#match? @value "^new "))

; const counts: Record<string, number> = {}
((variable_declarator name: (identifier) @name value: (object) @value) @match)

; class Limiter { private hits = new Map() }
((public_field_definition
   name: [(property_identifier) (private_property_identifier)] @name
   value: (new_expression constructor: (identifier) @ctor) @value) @match
 (#match? @value "^new "))

((public_field_definition
   name: [(property_identifier) (private_property_identifier)] @name
   value: (object) @value) @match)

; constructor() { this.hits = new Map() }
((assignment_expression
   left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @name)
   right: (new_expression constructor: (identifier) @ctor) @value) @match
 (#match? @value "^new "))

((assignment_expression
   left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @name)
   right: (object) @value) @match)

; ---------------------------------------------------------------------------------------------
; Facts: a store filled per key. rule.ts keeps those keyed by a client address and filled with
; timestamps or counts.
; hits.set(ip, [...recent, now]) / this.hits.set(ip, count + 1)
((call_expression
   function: (member_expression
     object: [(identifier) (member_expression object: (this))] @store
     property: (property_identifier) @method)
   arguments: (arguments . (_) @addr . (_) @value)) @fill
 (#eq? @method "set")
 (#set! fact "rate-limiter.fill")
 (#set! fill "set"))

; hits.get(ip).push(now) / hits.get(ip)?.push(now) / hits.get(ip)!.push(now)
((call_expression
   function: (member_expression
     object: [(call_expression
                function: (member_expression
                  object: [(identifier) (member_expression object: (this))] @store
                  property: (property_identifier) @get)
                arguments: (arguments . (_) @addr))
              (non_null_expression
                (call_expression
                  function: (member_expression
                    object: [(identifier) (member_expression object: (this))] @store
                    property: (property_identifier) @get)
                  arguments: (arguments . (_) @addr)))]
     property: (property_identifier) @method)
   arguments: (arguments . (_) @value)) @fill
 (#eq? @get "get")
 (#any-of? @method "push" "unshift")
 (#set! fact "rate-limiter.fill")
 (#set! fill "push"))

; hits[ip].push(now) / hits[ip]!.push(now) / (hits[ip] ??= []).push(now)
((call_expression
   function: (member_expression
     object: [(subscript_expression
                object: [(identifier) (member_expression object: (this))] @store
                index: (_) @addr)
              (non_null_expression
                (subscript_expression
                  object: [(identifier) (member_expression object: (this))] @store
                  index: (_) @addr))
              (parenthesized_expression
                (augmented_assignment_expression
                  left: (subscript_expression
                    object: [(identifier) (member_expression object: (this))] @store
                    index: (_) @addr)))]
     property: (property_identifier) @method)
   arguments: (arguments . (_) @value)) @fill
 (#any-of? @method "push" "unshift")
 (#set! fact "rate-limiter.fill")
 (#set! fill "push"))

; const list = hits.get(ip) ?? []; list.push(now)
((call_expression
   function: (member_expression object: (identifier) @alias property: (property_identifier) @method)
   arguments: (arguments . (_) @value .)) @fill
 (#any-of? @method "push" "unshift")
 (#set! fact "rate-limiter.fill")
 (#set! fill "alias-push"))

; counts[ip] = (counts[ip] || 0) + 1
((assignment_expression
   left: (subscript_expression
     object: [(identifier) (member_expression object: (this))] @store
     index: (_) @addr)
   right: (_) @value) @fill
 (#set! fact "rate-limiter.fill")
 (#set! fill "assign"))

; counts[ip] += 1
((augmented_assignment_expression
   left: (subscript_expression
     object: [(identifier) (member_expression object: (this))] @store
     index: (_) @addr)
   right: (_) @value) @fill
 (#set! fact "rate-limiter.fill")
 (#set! fill "augment"))

; counts[ip]++
((update_expression
   argument: (subscript_expression
     object: [(identifier) (member_expression object: (this))] @store
     index: (_) @addr)) @fill
 (#set! fact "rate-limiter.fill")
 (#set! fill "increment"))

; Evidence for the readiness model: rate-limit counts kept in a shared store (the models' shared limiters and stores).
((new_expression constructor: (identifier) @ctor) @evidence
 (#state-symbols? @ctor "scope:shared")
 (#match? @ctor "Redis")
 (#set! evidence "rate limits kept in Redis"))
; The same, with a process-local fallback while Redis is down (the models' `fallbackBy` options): OK,
; with what happens then said (the analyzer keeps this longer message for the same limiter).
((new_expression
   constructor: (identifier) @ctor
   arguments: (arguments (object (pair key: (property_identifier) @opt)))) @evidence
 (#state-symbols? @ctor "scope:shared")
 (#match? @ctor "Redis")
 (#state-options? @opt "fallbackBy")
 (#set! evidence "rate limits kept in Redis, with an in-memory fallback while Redis is down (each instance then limits on its own, so the limit is multiplied by the instance count until Redis is back)"))
