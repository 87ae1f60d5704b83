; ---- findings ------------------------------------------------------------------------------

; go notify(u) / go func(u User) { ... }(u): rule.ts decides whether it runs once per item of a
; data set with no bound in sight. Deliberately unanchored: `go` is a keyword (the node type
; go_statement), not a word a text predicate can anchor on (the literal "go" would match inside
; most identifiers and widen every anchored Go pattern's ranges). The pattern is a single node
; type, so it costs one type test per node in the unanchored pass that already runs for Go.
(go_statement) @match

; g.Go(func() error { ... }): errgroup, sourcegraph/conc, Go 1.25 sync.WaitGroup.Go
((call_expression
   function: (selector_expression operand: (identifier) @recv field: (field_identifier) @method) @match)
 (#model? @method "effect:spawn"))

; ---- evidence ------------------------------------------------------------------------------

((call_expression
   function: (selector_expression field: (field_identifier) @method)) @evidence
 (#model? @method "effect:bounded-concurrency")
 (#match? @method "^(Set|With)")
 (#set! evidence "goroutines bounded with a group limit"))
