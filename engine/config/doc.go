// Package config loads flow files into a model: connections, variables,
// tables and flows with their triggers and cards.
//
// It decodes structure only. Expressions stay hcl.Expression values for
// engine/lang to evaluate; config never evaluates them and never does I/O
// beyond reading the files it is given. Every problem is an hcl.Diagnostic
// with the narrowest range that shows it; Load collects them all in one pass.
//
// A fresh hclparse.Parser is made for each Load, because a parser caches
// files forever and a hot reload must see what is on disk now.
package config
