package config

// WhatsAppConfig configures the WhatsApp adapter.
type WhatsAppConfig struct{}

var whatsAppSection = section{}
