package grpcapi

import (
	"context"

	"example.com/ledger/internal/notify"
	"example.com/ledger/internal/store"
)

type StatementRequest struct {
	AccountID int64
	Email     string
}

type StatementReply struct {
	Sent bool
}

type UnimplementedStatementsServer struct{}

// StatementsServer is a gRPC service: each method is a request handler.
type StatementsServer struct {
	UnimplementedStatementsServer
	Store *store.Store
}

func (s *StatementsServer) EmailStatement(ctx context.Context, req *StatementRequest) (*StatementReply, error) {
	cents, err := s.Store.BalanceOf(ctx, req.AccountID)
	if err != nil {
		return nil, err
	}
	// expect: sync-smtp-in-request -- notify.SendStatement dials SMTP inside the RPC
	if err := notify.SendStatement(req.Email, formatCents(cents)); err != nil {
		return nil, err
	}
	return &StatementReply{Sent: true}, nil
}

func formatCents(c int64) string {
	return string(rune('0' + c%10))
}
