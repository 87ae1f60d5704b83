package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/smtp"

	mail "gopkg.in/mail.v2"
)

// Mailer sends through the SMTP relay.
type Mailer struct {
	addr   string
	from   string
	auth   smtp.Auth
	dialer *mail.Dialer
}

func newMailer(host string, port int, user, password, from string) *Mailer {
	return &Mailer{
		addr:   fmt.Sprintf("%s:%d", host, port),
		from:   from,
		auth:   smtp.PlainAuth("", user, password, host),
		dialer: mail.NewDialer(host, port, user, password),
	}
}

func newResetToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (m *Mailer) message(to, subject, body string) *mail.Message {
	msg := mail.NewMessage()
	msg.SetHeader("From", m.from)
	msg.SetHeader("To", to)
	msg.SetHeader("Subject", subject)
	msg.SetBody("text/plain", body)
	return msg
}

// Send delivers one message; used by the jobs, one recipient at a time.
func (m *Mailer) Send(to, subject, body string) error {
	return m.dialer.DialAndSend(m.message(to, subject, body)) // ok: sync-smtp-in-request
}

// SendEach opens a connection per message: the old newsletter path.
func (m *Mailer) SendEach(recipients []string, subject, body string) error {
	for _, to := range recipients {
		if err := m.dialer.DialAndSend(m.message(to, subject, body)); err != nil { // expect: sync-smtp-in-request
			return fmt.Errorf("send to %s: %w", to, err)
		}
	}
	return nil
}

// SendBatch reuses one SMTP connection for the whole batch.
func (m *Mailer) SendBatch(recipients []string, subject, body string) error {
	conn, err := m.dialer.Dial() // ok: sync-smtp-in-request
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, to := range recipients {
		if err := mail.Send(conn, m.message(to, subject, body)); err != nil {
			return fmt.Errorf("send to %s: %w", to, err)
		}
	}
	return nil
}
