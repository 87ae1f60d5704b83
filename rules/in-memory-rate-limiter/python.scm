; ---------------------------------------------------------------------------------------------
; Findings: a limiter or limit store the models know (slowapi's Limiter, limits' MemoryStorage and
; storage_from_string). rule.ts resolves the call and judges it by the state the model gives it:
; per client and in this process, unless an option that shares it is given (a storage URI other
; than one that still means this process).
((call function: (identifier) @fn) @match
 (#state-symbols? @fn "effect:rate-limit"))

((call function: (attribute attribute: (identifier) @fn)) @match
 (#state-symbols? @fn "effect:rate-limit"))

; ... imported under another name (`from slowapi import Limiter as RateLimiter`).
((call function: (identifier) @fn) @match
 (#match? @fn "(Limit|limit|Storage|storage)")
 (#set! kind "alias"))

; ---------------------------------------------------------------------------------------------
; Findings (when the file fills them per client address): a store at module level, on a class or instance, or in a factory's closure
; hits = {} / hits: dict[str, list[float]] = {}
((assignment left: (identifier) @name right: (dictionary) @value) @match)

; hits = defaultdict(list) / collections.defaultdict(deque) / Counter() (the language's containers),
; TTLCache(...) / ExpiringDict(...) (a process-local cache of the models)
((assignment
   left: (identifier) @name
   right: (call function: [(identifier) (attribute)] @ctor) @value) @match
 (#match? @ctor "(^|[.])(defaultdict|dict|OrderedDict|Counter)$"))

((assignment
   left: (identifier) @name
   right: (call function: (identifier) @ctor) @value) @match
 (#model? @ctor "effect:cache-write"))

((assignment
   left: (identifier) @name
   right: (call function: (attribute attribute: (identifier) @ctorName) @ctor) @value) @match
 (#model? @ctorName "effect:cache-write"))

; self._hits = {} in __init__
((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (dictionary) @value) @match
 (#eq? @self "self"))

; self._hits = defaultdict(list) / TTLCache(...) in __init__
((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (call function: [(identifier) (attribute)] @ctor) @value) @match
 (#eq? @self "self")
 (#match? @ctor "(^|[.])(defaultdict|dict|OrderedDict|Counter)$"))

((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (call function: (identifier) @ctor) @value) @match
 (#eq? @self "self")
 (#model? @ctor "effect:cache-write"))

((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (call function: (attribute attribute: (identifier) @ctorName) @ctor) @value) @match
 (#eq? @self "self")
 (#model? @ctorName "effect:cache-write"))

; ---------------------------------------------------------------------------------------------
; Facts: a store filled per key. rule.ts keeps those keyed by a client address and filled with
; timestamps or counts.
; hits[ip].append(now)
((call
   function: (attribute
     object: (subscript
       value: [(identifier) (attribute object: (identifier) attribute: (identifier))] @store
       subscript: (_) @addr)
     attribute: (identifier) @method)
   arguments: (argument_list . (_) @value .)) @fill
 (#any-of? @method "append" "appendleft")
 (#set! fact "rate-limiter.fill")
 (#set! fill "append"))

; hits.setdefault(ip, []).append(now)
((call
   function: (attribute
     object: (call
       function: (attribute
         object: [(identifier) (attribute object: (identifier) attribute: (identifier))] @store
         attribute: (identifier) @setdefault)
       arguments: (argument_list . (_) @addr))
     attribute: (identifier) @method)
   arguments: (argument_list . (_) @value .)) @fill
 (#eq? @setdefault "setdefault")
 (#any-of? @method "append" "appendleft")
 (#set! fact "rate-limiter.fill")
 (#set! fill "append"))

; window = hits[ip]; window.append(now)
((call
   function: (attribute object: (identifier) @alias attribute: (identifier) @method)
   arguments: (argument_list . (_) @value .)) @fill
 (#any-of? @method "append" "appendleft")
 (#set! fact "rate-limiter.fill")
 (#set! fill "alias-append"))

; hits[ip] += 1
((augmented_assignment
   left: (subscript
     value: [(identifier) (attribute object: (identifier) attribute: (identifier))] @store
     subscript: (_) @addr)
   right: (_) @value) @fill
 (#set! fact "rate-limiter.fill")
 (#set! fill "augment"))

; hits[ip] = [t for t in hits[ip] if now - t < WINDOW] / hits[ip] = hits.get(ip, 0) + 1
((assignment
   left: (subscript
     value: [(identifier) (attribute object: (identifier) attribute: (identifier))] @store
     subscript: (_) @addr)
   right: (_) @value) @fill
 (#set! fact "rate-limiter.fill")
 (#set! fill "assign"))

; Evidence for the readiness model: a limiter given one of the options the models say share its counts.
((call
   function: (identifier) @ctor
   arguments: (argument_list (keyword_argument name: (identifier) @kw))) @evidence
 (#state-symbols? @ctor "effect:rate-limit")
 (#state-options? @kw "sharedBy effect:rate-limit")
 (#set! evidence "rate limits kept in a shared store (storage_uri)"))
