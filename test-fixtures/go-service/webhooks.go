package main

import (
	"context"
	"log/slog"
	"net/http"

	"golang.org/x/sync/errgroup"
)

// WebhookSender posts every event to the URLs its subscribers registered.
type WebhookSender struct {
	client  *http.Client
	store   *Store
	log     *slog.Logger
	workers int
}

// Broadcast notifies every subscriber of an event.
func (s *WebhookSender) Broadcast(ctx context.Context, evt Event) error {
	subs, err := s.store.SubscribersOf(ctx, evt.Type)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if !sub.Active {
			continue
		}
		go s.deliver(context.WithoutCancel(ctx), sub, evt) // expect: unbounded-fan-out
	}
	return nil
}

// Replay re-sends every event of a time window, stopping at the first failure.
func (s *WebhookSender) Replay(ctx context.Context, events []Event) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, evt := range events {
		g.Go(func() error { return s.redeliver(ctx, evt) }) // expect: unbounded-fan-out
	}
	return g.Wait()
}

// ReplayBounded is Replay with at most eight deliveries in flight.
func (s *WebhookSender) ReplayBounded(ctx context.Context, events []Event) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, evt := range events {
		g.Go(func() error { return s.redeliver(ctx, evt) }) // ok: unbounded-fan-out
	}
	return g.Wait()
}

// BroadcastThrottled notifies every subscriber, sixteen at a time.
func (s *WebhookSender) BroadcastThrottled(ctx context.Context, evt Event, subs []Subscriber) {
	sem := make(chan struct{}, 16)
	for _, sub := range subs {
		sem <- struct{}{}
		go func(sub Subscriber) { // ok: unbounded-fan-out
			defer func() { <-sem }()
			s.deliver(ctx, sub, evt)
		}(sub)
	}
}

// Start runs a fixed pool of delivery workers fed by a channel.
func (s *WebhookSender) Start(ctx context.Context, queue <-chan Delivery) {
	for i := 0; i < s.workers; i++ {
		go s.worker(ctx, queue) // ok: unbounded-fan-out
	}
}

func (s *WebhookSender) worker(ctx context.Context, queue <-chan Delivery) {
	for d := range queue {
		s.deliver(ctx, d.Subscriber, d.Event)
	}
}
