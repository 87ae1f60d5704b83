package notify

import (
	"fmt"
	"net/smtp"
)

func SendStatement(to string, body string) error {
	auth := smtp.PlainAuth("", "ledger", "secret", "smtp.example.com")
	msg := []byte(fmt.Sprintf("To: %s\r\nSubject: Your statement\r\n\r\n%s", to, body))
	return smtp.SendMail("smtp.example.com:587", auth, "ledger@example.com", []string{to}, msg)
}
