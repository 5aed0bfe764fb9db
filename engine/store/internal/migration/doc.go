// Package migration reads the numbered schema changes a store embeds
// (migrations/NNNN_name.sql). Each store applies them its own way.
package migration
