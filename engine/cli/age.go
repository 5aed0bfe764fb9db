package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ageValue is a flag holding an age: a Go duration (720h, 90m) or a
// number of days (30d), as retention periods are said. "0" is zero.
type ageValue struct{ d *time.Duration }

func (a ageValue) String() string {
	if a.d == nil {
		return ""
	}
	if *a.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(*a.d/(24*time.Hour)), 10) + "d"
	}
	return a.d.String()
}

func (a ageValue) Set(s string) error {
	d, err := parseAge(s)
	if err != nil {
		return err
	}
	*a.d = d
	return nil
}

func (ageValue) Type() string { return "age" }

// parseAge reads 30d, 720h, 1h30m or 0.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days such as 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not an age such as 30d, 36h or 0", s)
	}
	return d, nil
}
