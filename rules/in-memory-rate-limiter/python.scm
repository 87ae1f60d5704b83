; ---------------------------------------------------------------------------------------------
; Facts: where the limiter classes come from (slowapi, limits).
; from slowapi import Limiter / from slowapi import Limiter as L / from limits.storage import MemoryStorage
((import_from_statement
   module_name: (dotted_name) @module
   name: [(dotted_name) @name
          (aliased_import name: (dotted_name) @name alias: (identifier) @alias)])
 (#any-of? @module "slowapi" "slowapi.extension" "limits.storage" "limits.aio.storage")
 (#set! fact "rate-limiter.import"))

; ---------------------------------------------------------------------------------------------
; Findings: Limiter(...) of slowapi without storage_uri, MemoryStorage(), storage_from_string("memory://")
((call function: (identifier) @fn) @match
 (#match? @fn "(Limiter|MemoryStorage|storage_from_string)$"))

; ---------------------------------------------------------------------------------------------
; Findings (when the file fills them per client address): a store at module level, on a class or instance, or in a factory's closure
; hits = {} / hits: dict[str, list[float]] = {}
((assignment left: (identifier) @name right: (dictionary) @value) @match)

; hits = defaultdict(list) / collections.defaultdict(deque) / Counter() / TTLCache(...)
((assignment
   left: (identifier) @name
   right: (call function: [(identifier) (attribute)] @ctor) @value) @match
 (#match? @ctor "(^|[.])(defaultdict|dict|OrderedDict|Counter|TTLCache|LRUCache|ExpiringDict)$"))

; self._hits = {} in __init__
((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (dictionary) @value) @match
 (#eq? @self "self"))

; self._hits = defaultdict(list) in __init__
((assignment
   left: (attribute object: (identifier) @self attribute: (identifier) @name)
   right: (call function: [(identifier) (attribute)] @ctor) @value) @match
 (#eq? @self "self")
 (#match? @ctor "(^|[.])(defaultdict|dict|OrderedDict|Counter|TTLCache|LRUCache|ExpiringDict)$"))

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

; Evidence for the readiness model: a limiter whose counts live in a shared store.
((call
   function: (identifier) @ctor
   arguments: (argument_list (keyword_argument name: (identifier) @kw))) @evidence
 (#eq? @ctor "Limiter")
 (#eq? @kw "storage_uri")
 (#set! evidence "rate limits kept in a shared store (storage_uri)"))
