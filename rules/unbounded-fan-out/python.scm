; ---- findings ------------------------------------------------------------------------------

; asyncio.gather(*[fetch(u) for u in users]), asyncio.gather(*tasks), asyncio.wait(tasks),
; asyncio.as_completed([...]): which argument holds the per-item collection is decided in rule.ts.
((call
   function: (attribute object: (identifier) @obj attribute: (identifier) @fn) @match
   arguments: (argument_list) @args)
 (#any-of? @fn "gather" "wait" "as_completed")
 (#eq? @obj "asyncio")
 (#set! kind "gather"))

; from asyncio import gather: gather(*[...])
((call
   function: (identifier) @fn @match
   arguments: (argument_list) @args)
 (#eq? @fn "gather")
 (#set! kind "gather"))

; asyncio.create_task(f(u)), loop.create_task(...), tg.create_task(...), asyncio.ensure_future(...),
; anyio/trio tg.start_soon(f, u): a task started per item when inside a loop (rule.ts).
((call
   function: (attribute attribute: (identifier) @fn) @match
   arguments: (argument_list) @args)
 (#any-of? @fn "create_task" "ensure_future" "start_soon")
 (#set! kind "spawn"))

((call
   function: (identifier) @fn @match
   arguments: (argument_list) @args)
 (#any-of? @fn "create_task" "ensure_future")
 (#set! kind "spawn"))

; ---- facts ---------------------------------------------------------------------------------

; a coroutine that holds a semaphore or limiter while it works (`async with sem:`,
; `async with self._limiter:`): keyed by the function's name in rule.ts, so that
; gather(*[fetch(u) for u in users]) is bounded when `fetch` is.
((with_item value: (_) @guard)
 (#match? @guard "sem|Sem|SEM|limit|Limit|LIMIT|throttl|Throttl|slot|Slot|concurren|Concurren")
 (#set! fact unbounded-fan-out.guarded))

; await sem.acquire()
((call
   function: (attribute object: (_) @guard attribute: (identifier) @method))
 (#eq? @method "acquire")
 (#set! fact unbounded-fan-out.guarded))

; ---- evidence ------------------------------------------------------------------------------

((call
   function: (attribute object: (identifier) @obj attribute: (identifier) @ctor)) @evidence
 (#eq? @obj "asyncio")
 (#any-of? @ctor "Semaphore" "BoundedSemaphore")
 (#set! evidence "concurrency bounded with asyncio.Semaphore"))
