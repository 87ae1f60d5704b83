; ---- findings ------------------------------------------------------------------------------

; Promise.all(items.map(async (x) => ...)), Promise.allSettled(items.map(f)), Promise.all(promises):
; which shapes are a fan-out over data is decided in rule.ts.
((call_expression
   function: (member_expression object: (identifier) @obj property: (property_identifier) @fn) @match
   arguments: (arguments) @args)
 (#eq? @obj "Promise")
 (#model? @fn "effect:fan-out"))

; ---- evidence ------------------------------------------------------------------------------

; const limit = pLimit(10)
((call_expression function: (identifier) @ctor) @evidence
 (#model? @ctor "effect:bounded-concurrency")
 (#set! evidence "concurrency bounded with a limiter"))

; new PQueue({ concurrency: 10 }), new Bottleneck({ maxConcurrent: 10 })
((new_expression constructor: (identifier) @ctor) @evidence
 (#any-of? @ctor "PQueue" "Bottleneck")
 (#set! evidence "concurrency bounded with a queue"))
