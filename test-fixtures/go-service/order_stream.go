package main

import (
	"fmt"
	"net/http"
	"sync"
)

// OrderStream pushes order status changes to the kitchen screens over server-sent events.
type OrderStream struct {
	mu      sync.Mutex
	screens map[chan string]bool // expect: in-process-shared-state
	printer map[chan string]bool // ok: in-process-shared-state -- print jobs, no event stream opened for them
}

func (s *OrderStream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	ch := make(chan string, 16)
	s.mu.Lock()
	s.screens[ch] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.screens, ch)
		s.mu.Unlock()
	}()
	flusher, _ := w.(http.Flusher)
	for {
		select {
		case msg := <-ch:
			fmt.Fprintf(w, "data: %s\n\n", msg)
			if flusher != nil {
				flusher.Flush()
			}
		case <-r.Context().Done():
			return
		}
	}
}

// OrderReady is called by the order handlers when the kitchen marks an order ready.
func (s *OrderStream) OrderReady(orderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.screens {
		select {
		case ch <- orderID:
		default:
		}
	}
}

func (s *OrderStream) queuePrint(orderID string) {
	job := make(chan string, 1)
	s.printer[job] = true
	for ch := range s.printer {
		ch <- orderID
	}
}
