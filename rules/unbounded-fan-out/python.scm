; ---- findings ------------------------------------------------------------------------------

; asyncio.gather(*[fetch(u) for u in users]), asyncio.gather(*tasks), asyncio.wait(tasks),
; asyncio.as_completed([...]): which argument holds the per-item collection is decided in rule.ts.
; The names are the models' fan-out calls; rule.ts resolves the callee (a project's own `gather`
; is not asyncio's).
((call
   function: (attribute attribute: (identifier) @fn) @match
   arguments: (argument_list) @args)
 (#model? @fn "effect:fan-out")
 (#set! kind "gather"))

; from asyncio import gather: gather(*[...])
((call
   function: (identifier) @fn @match
   arguments: (argument_list) @args)
 (#model? @fn "effect:fan-out")
 (#set! kind "gather"))

; asyncio.create_task(f(u)), loop.create_task(...), tg.create_task(...), asyncio.ensure_future(...),
; anyio/trio tg.start_soon(f, u): a task started per item when inside a loop (rule.ts).
((call
   function: (attribute attribute: (identifier) @fn) @match
   arguments: (argument_list) @args)
 (#model? @fn "effect:spawn")
 (#set! kind "spawn"))

((call
   function: (identifier) @fn @match
   arguments: (argument_list) @args)
 (#model? @fn "effect:spawn")
 (#set! kind "spawn"))

; ---- facts ---------------------------------------------------------------------------------

; a coroutine that holds a semaphore or limiter while it works (`async with sem:`,
; `async with self._limiter:`): keyed by the function's name in rule.ts, so that
; gather(*[fetch(u) for u in users]) is bounded when `fetch` is. The word list is the one the
; models' semaphore conventions match (rule.ts checks the name against them).
((with_item value: (_) @guard)
 (#match? @guard "sem|Sem|SEM|limit|Limit|LIMIT|throttl|Throttl|slot|Slot|concurren|Concurren")
 (#set! fact unbounded-fan-out.guarded))

; await sem.acquire(): the models' semaphore members
((call
   function: (attribute object: (_) @guard attribute: (identifier) @method))
 (#model? @method "type:asyncio.Semaphore")
 (#set! fact unbounded-fan-out.guarded))

; ---- evidence ------------------------------------------------------------------------------

; asyncio.Semaphore(10), anyio.CapacityLimiter(10): the models' semaphore constructors
((call
   function: (attribute attribute: (identifier) @ctor)) @evidence
 (#model? @ctor "effect:semaphore")
 (#match? @ctor "^[A-Z]")
 (#set! evidence "concurrency bounded with a semaphore"))
