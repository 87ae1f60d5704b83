package main

import (
	"log"
	"net/http"
	"os"

	"example.com/ledger/internal/api"
	"example.com/ledger/internal/store"
)

func main() {
	s, err := store.Open(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(":8080", api.Routes(&api.Handlers{Store: s})))
}
