; ---- findings -----------------------------------------------------------------------------
; Every name here comes from the models: the calls of sync libraries that wait (an HTTP call, a
; sleep, a subprocess, a query, a cache round-trip, a one-connection client, a whole-file copy) or
; compute on purpose (a password hash). rule.ts resolves
; each call (imports, module bindings, `self.x = …`, the models' conventions) and keeps those
; that are a sync library's. The names are common words, so these patterns run only in files that
; name one of those libraries' packages (the gate, filled in from the models by rule.ts).

; requests.get(...), time.sleep(...), session.get(...), cache.get(...), users.find_one(...), conn.commit()
((call
   function: (attribute attribute: (identifier) @fn)) @match
 (#model? @fn "effect:http-call effect:sleep effect:subprocess effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many effect:db-query effect:cache-read effect:cache-write effect:publish effect:client effect:cpu-heavy effect:blocking-io")
 (#is? inside-async match)
 (#set! gate "@SYNC_PACKAGES@"))

; sleep(...), urlopen(...), post(...), check_output(...) imported by name
((call
   function: (identifier) @fn) @match
 (#model? @fn "effect:http-call effect:sleep effect:subprocess effect:db-read-one effect:db-read-many effect:db-count effect:db-write effect:db-write-many effect:db-query effect:cache-read effect:cache-write effect:publish effect:client effect:cpu-heavy effect:blocking-io")
 (#is? inside-async match)
 (#set! gate "@SYNC_PACKAGES@"))

; open(path).read(): the builtin's file object (unless the file imports another `open`)
((call
   function: (attribute
     object: (call function: (identifier) @open)
     attribute: (identifier) @fn)) @match
 (#model? @open "symbol:builtins.open")
 (#model? @fn "effect:blocking-io")
 (#is? inside-async match))
