; ---------------------------------------------------------------------------------------------
; Facts: where the limiter functions and classes come from.
; import rateLimit, { MemoryStore } from 'express-rate-limit' / import * as flex from 'rate-limiter-flexible'
((import_statement
   (import_clause) @clause
   source: (string (string_fragment) @source))
 (#any-of? @source "express-rate-limit" "express-slow-down" "rate-limiter-flexible" "@fastify/rate-limit" "fastify-rate-limit")
 (#set! fact "rate-limiter.import"))

; const rateLimit = require('express-rate-limit') / const { RateLimiterMemory } = require('rate-limiter-flexible')
((variable_declarator
   name: (_) @clause
   value: (call_expression
     function: (identifier) @require
     arguments: (arguments . (string (string_fragment) @source) .)))
 (#eq? @require "require")
 (#any-of? @source "express-rate-limit" "express-slow-down" "rate-limiter-flexible" "@fastify/rate-limit" "fastify-rate-limit")
 (#set! fact "rate-limiter.import"))

; ---------------------------------------------------------------------------------------------
; Findings: rateLimit({...}) / slowDown({...}) without a store
((call_expression function: (identifier) @fn arguments: (arguments)) @match
 (#match? @fn "[Ll]imit|[Ss]low|[Tt]hrottl"))

; erl.rateLimit({...}) through a namespace import
((call_expression
   function: (member_expression object: (identifier) @ns property: (property_identifier) @fn)
   arguments: (arguments)) @match
 (#any-of? @fn "rateLimit" "slowDown" "default"))

; new RateLimiterMemory({...}) / new MemoryStore()
((new_expression constructor: (identifier) @ctor) @match
 (#match? @ctor "Memory"))

; new flex.RateLimiterMemory({...})
((new_expression constructor: (member_expression object: (identifier) @ns property: (property_identifier) @ctor)) @match
 (#any-of? @ctor "RateLimiterMemory" "MemoryStore"))

; fastify.register(rateLimit, { max: 100, timeWindow: '1 minute' })
((call_expression
   function: (member_expression property: (property_identifier) @register)
   arguments: (arguments . (identifier) @plugin)) @match
 (#eq? @register "register"))

; ---------------------------------------------------------------------------------------------
; Findings (when the file fills them per client address): a store at module level, on a class or instance, or in a factory's closure
; const hits = new Map<string, number[]>() / new LRUCache(...)
((variable_declarator name: (identifier) @name value: (new_expression constructor: (identifier) @ctor) @value) @match
 (#any-of? @ctor "Map" "LRUCache" "LRU" "TTLCache" "NodeCache"))

; const counts: Record<string, number> = {}
((variable_declarator name: (identifier) @name value: (object) @value) @match)

; class Limiter { private hits = new Map() }
((public_field_definition
   name: [(property_identifier) (private_property_identifier)] @name
   value: (new_expression constructor: (identifier) @ctor) @value) @match
 (#any-of? @ctor "Map" "LRUCache" "LRU" "TTLCache" "NodeCache"))

((public_field_definition
   name: [(property_identifier) (private_property_identifier)] @name
   value: (object) @value) @match)

; constructor() { this.hits = new Map() }
((assignment_expression
   left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @name)
   right: (new_expression constructor: (identifier) @ctor) @value) @match
 (#any-of? @ctor "Map" "LRUCache" "LRU" "TTLCache" "NodeCache"))

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

; Evidence for the readiness model: rate-limit counts kept in Redis.
((new_expression constructor: (identifier) @ctor) @evidence
 (#any-of? @ctor "RedisStore" "RateLimiterRedis")
 (#set! evidence "rate limits kept in Redis"))
