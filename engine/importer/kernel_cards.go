package importer

import (
	"fmt"
	"regexp"
	"strings"
)

// kernelFunc converts a kernel function card into the expressions of its
// outputs, by output key ("*": every output; ".": every output is the
// expression's attribute of the output's key). ok is false when the card
// cannot be expressed.
type kernelFunc func(a *args) (outs map[string]string, note string, ok bool)

// one is the common case: every output is expr.
func one(expr string) (map[string]string, string, bool) {
	return map[string]string{"*": expr}, "", true
}

// kernelFuncs maps "module.card" of the Okta Workflows function cards to
// HCL expressions.
var kernelFuncs = map[string]kernelFunc{
	"string.compose":     compose,
	"string.concat":      concat,
	"string.toLowerCase": call1("lower", "string"),
	"string.toUpperCase": call1("upper", "string"),
	"string.trim":        call1("trimspace", "string"),
	// length() counts a list's items and fails on a text: split("", …)
	// lists its characters.
	"string.length": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("length(split(\"\", %s))", a.get("string")))
	},
	"string.split": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("split(%s, %s)", a.get("delimiter"), a.get("string")))
	},
	"string.replace": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("replace(%s, %s, %s)", a.get("string"), a.get("src"), a.get("dest")))
	},
	// Find Last of a literal text: the length of what comes before its
	// last occurrence, -1 when it does not occur.
	"string.lastIndexOf": func(a *args) (map[string]string, string, bool) {
		sub, ok := a.literalOf("substr")
		text, isStr := sub.(string)
		if !ok || !isStr {
			return nil, "", false
		}
		pat, s := literal("(?s)^(.*)"+regexp.QuoteMeta(text)), a.get("string")
		// length() counts a list's items: split("", …) lists the characters.
		return one(fmt.Sprintf("(length(regexall(%s, %s)) > 0 ? length(split(\"\", regex(%s, %s)[0])) : -1)", pat, s, pat, s))
	},
	"string.substr": func(a *args) (map[string]string, string, bool) {
		start := a.get("start")
		if start == "null" {
			start = "0"
		}
		length := "-1"
		if a.has("end") {
			length = fmt.Sprintf("%s - %s", a.get("end"), start)
		}
		return one(fmt.Sprintf("substr(%s, %s, %s)", a.get("string"), start, length))
	},
	"object.construct": construct,
	"object.get": func(a *args) (map[string]string, string, bool) {
		path, ok := a.literalOf("path")
		p, isStr := path.(string)
		if !ok || !isStr {
			return one(fmt.Sprintf("lookup(%s, %s, null)", a.get("object"), a.get("path")))
		}
		e := a.get("object")
		for _, k := range strings.Split(p, ".") {
			e = attrPath(e, k)
		}
		return one(e)
	},
	"object.pick": func(a *args) (map[string]string, string, bool) {
		return map[string]string{".": a.get("object")}, "", true
	},
	"object.expand": expand,
	"object.merge": func(a *args) (map[string]string, string, bool) {
		var es []string
		for _, f := range a.fields() {
			if e, ok := a.fc.input(a.m, f); ok {
				es = append(es, e)
			}
		}
		return one("merge(" + strings.Join(es, ", ") + ")")
	},
	"object.values": call1("values", "object"),
	"list.at": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("element(%s, %s)", a.get("list"), a.get("index")))
	},
	"list.pluck": func(a *args) (map[string]string, string, bool) {
		k, ok := a.literalOf("key")
		ks, isStr := k.(string)
		if !ok || !isStr || ks == "" {
			return nil, "", false
		}
		e := "x"
		for _, p := range strings.Split(ks, ".") {
			e = attrPath(e, p)
		}
		return one(fmt.Sprintf("[for x in %s : %s]", a.get("list"), e))
	},
	"list.length": call1("length", "list"),
	"list.join": func(a *args) (map[string]string, string, bool) {
		sep := a.get("delimiter")
		if sep == "null" {
			sep = `","`
		}
		return one(fmt.Sprintf("join(%s, %s)", sep, a.get("list")))
	},
	"list.construct": func(a *args) (map[string]string, string, bool) {
		var es []string
		for _, f := range a.fields() {
			if e, ok := a.fc.input(a.m, f); ok {
				es = append(es, e)
			}
		}
		return one("[" + strings.Join(es, ", ") + "]")
	},
	"list.flatten":      call1("flatten", "lists"),
	"list.includes":     call2("contains", "list", "value"),
	"list.difference":   call2("setsubtract", "list1", "list2"),
	"list.intersection": call2("setintersection", "list1", "list2"),
	"list.union":        call2("setunion", "list1", "list2"),
	"list.push": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("concat(%s, [%s])", a.get("list"), a.get("item")))
	},
	"list.pop": func(a *args) (map[string]string, string, bool) {
		l := a.get("list")
		return map[string]string{"item": fmt.Sprintf("element(%s, length(%s) - 1)", l, l), "list": fmt.Sprintf("slice(%s, 0, length(%s) - 1)", l, l)}, "", true
	},
	"list.shift": func(a *args) (map[string]string, string, bool) {
		l := a.get("list")
		return map[string]string{"item": fmt.Sprintf("element(%s, 0)", l), "list": fmt.Sprintf("slice(%s, 1, length(%s))", l, l)}, "", true
	},
	"list.filterBy": func(a *args) (map[string]string, string, bool) {
		c, ok := itemCondition(a)
		if !ok {
			return nil, "", false
		}
		return one(fmt.Sprintf("[for x in %s : x if %s]", a.get("list"), c))
	},
	"list.findBy": func(a *args) (map[string]string, string, bool) {
		c, ok := itemCondition(a)
		if !ok {
			return nil, "", false
		}
		l := a.get("list")
		return map[string]string{
			"item":  fmt.Sprintf("element([for x in %s : x if %s], 0)", l, c),
			"index": fmt.Sprintf("element([for i, x in %s : i if %s], 0)", l, c),
		}, "", true
	},
	"math.add":      binary("+"),
	"math.subtract": binary("-"),
	"math.multiply": binary("*"),
	"math.divide":   binary("/"),
	"math.ceil":     call1("ceil", "a"),
	"math.round": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("floor(%s + 0.5)", a.get("a")))
	},
	"boolean.and": binary("&&"),
	"boolean.or":  binary("||"),
	"boolean.xor": binary("!="),
	"boolean.compare": func(a *args) (map[string]string, string, bool) {
		op, _ := a.literalOf("operator")
		s, _ := op.(string)
		if c := comparisons[s]; c != "" {
			return one(fmt.Sprintf("%s %s %s", a.get("left-operand"), c, a.get("right-operand")))
		}
		return nil, "", false
	},
	"json.parse": func(a *args) (map[string]string, string, bool) {
		s := a.get("string")
		if s == "trigger.body" {
			// cardflow's endpoint parses a JSON body already.
			return map[string]string{"*": s}, "the endpoint's body is read as JSON: callers send it with Content-Type: application/json.", true
		}
		if act := a.fc.parsedBody(s); act != "" {
			note := ""
			if act == "http.request" {
				note = "the response body is read as it is: http.request parses a JSON body already (when the API answers with a JSON Content-Type)."
			}
			return map[string]string{"*": s}, note, true
		}
		return one("jsondecode(" + s + ")")
	},
	"json.stringify": call1("jsonencode", "object"),
	"list.uniqueBy": func(a *args) (map[string]string, string, bool) {
		p, _ := a.literalOf("path")
		ps, _ := p.(string)
		l := a.get("list")
		if ps == "" {
			return one(fmt.Sprintf("distinct(%s)", l))
		}
		x := "x"
		for _, k := range strings.Split(ps, ".") {
			x = attrPath(x, k)
		}
		// Group by the path, keep the first of each group.
		return one(fmt.Sprintf("[for k, v in { for x in %s : tostring(%s) => x... } : v[0]]", l, x))
	},
	"date.fromISO": func(a *args) (map[string]string, string, bool) {
		for _, o := range a.m.Outputs {
			if (o.Key == "epoch" || o.Key == "unix") && a.fc.wired(a.m, o) {
				return nil, "", false
			}
		}
		return map[string]string{"date": a.get("start"), "iso": a.get("start")}, "", true
	},
	"date.now": func(a *args) (map[string]string, string, bool) {
		return one("timestamp()")
	},
	"date.add":      dateShift("+"),
	"date.subtract": dateShift("-"),
	"date.diff":     dateDiff,
	// Date to Unix and Date to Epoch: whole milliseconds and seconds
	// since 1970-01-01T00:00:00Z. timediff()'s fractions of a second are
	// binary, so milliseconds are rounded (Okta's times have whole ones).
	"date.unix": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("floor(timediff(%q, %s) * 1000 + 0.5)", unixEpoch, a.get("start")))
	},
	"date.epoch": func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("floor(timediff(%q, %s))", unixEpoch, a.get("start")))
	},
}

const unixEpoch = "1970-01-01T00:00:00Z"

// dateDiff is Difference: end minus start, in days, hours and minutes with
// their fractions, in whole seconds (truncated toward zero) and
// milliseconds (rounded: Okta's times have whole ones, and timediff()'s
// fractions of a second are binary), from timediff()'s seconds. Calendar months and years have no
// such formula: a card whose months or years a later card reads is not
// converted.
func dateDiff(a *args) (map[string]string, string, bool) {
	if !a.has("start") || !a.has("end") {
		return nil, "", false
	}
	for _, o := range a.m.Outputs {
		if (o.Key == "months" || o.Key == "years") && a.fc.wired(a.m, o) {
			a.fc.notes[a.m.UUID] = "Its " + o.Key + " are read, which count calendar months: cardflow's timediff() gives the seconds between two times, from which days, hours and minutes follow."
			return nil, "", false
		}
	}
	secs := fmt.Sprintf("timediff(%s, %s)", a.get("start"), a.get("end"))
	whole := func(e string) string { return fmt.Sprintf("(%s < 0 ? ceil(%s) : floor(%s))", e, e, e) }
	return map[string]string{
		"days": secs + " / 86400", "hours": secs + " / 3600", "minutes": secs + " / 60",
		"seconds": whole(secs), "milliseconds": "floor(" + secs + " * 1000 + 0.5)",
	}, "start and end must be RFC 3339 times (2026-01-31T09:00:00Z), as Okta's dates and timestamp() are.", true
}

func call1(fn, key string) kernelFunc {
	return func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("%s(%s)", fn, a.get(key)))
	}
}

func call2(fn, k1, k2 string) kernelFunc {
	return func(a *args) (map[string]string, string, bool) {
		return one(fmt.Sprintf("%s(%s, %s)", fn, a.get(k1), a.get(k2)))
	}
}

func binary(op string) kernelFunc {
	return func(a *args) (map[string]string, string, bool) {
		f := a.fields()
		if len(f) < 2 {
			return nil, "", false
		}
		x, _ := a.fc.input(a.m, f[0])
		y, _ := a.fc.input(a.m, f[1])
		if x == "" || y == "" {
			return nil, "", false
		}
		return one(fmt.Sprintf("(%s %s %s)", x, op, y))
	}
}

// compose turns Compose's text with {{{slot}}} references into a template.
func compose(a *args) (map[string]string, string, bool) {
	text, ok := a.literalOf("_text_")
	s, isStr := text.(string)
	if !ok || !isStr {
		return nil, "", false
	}
	parts, slots := splitCompose(s)
	exprs := make([]string, len(slots))
	for i, id := range slots {
		exprs[i] = a.get(id)
	}
	return one(template(parts, exprs))
}

func concat(a *args) (map[string]string, string, bool) {
	var parts, exprs []string
	cur := ""
	for _, f := range a.fields() {
		if len(a.fc.sources[a.m.UUID+"/"+f.ID]) == 0 {
			if s, ok := f.Data.(string); ok {
				cur += s
				continue
			}
		}
		e, ok := a.fc.input(a.m, f)
		if !ok {
			continue
		}
		parts = append(parts, cur)
		cur = ""
		exprs = append(exprs, e)
	}
	return one(template(append(parts, cur), exprs))
}

// expand reads the fields of an object: Okta Workflows inserts it where a
// card's output is unfolded. Fields of an event become System Log paths.
func expand(a *args) (map[string]string, string, bool) {
	src := a.get("object")
	outs := map[string]string{}
	byID := map[string]*Field{}
	for _, o := range a.m.Outputs {
		byID[o.ID] = o
	}
	var path func(o *Field, depth int) string
	path = func(o *Field, depth int) string {
		if len(o.Path) > 0 {
			// Newer exports say where the field is: key and value of
			// the path's last element.
			if o.Key == "key" {
				return literal(o.Path[len(o.Path)-1])
			}
			e := src
			for _, p := range o.Path {
				if isEventPath(e) && eventPaths[p] != "" {
					e += "." + eventPaths[p]
				} else {
					e = attrPath(e, p)
				}
			}
			return e
		}
		base := src
		if p := byID[o.Group]; p != nil && depth < 8 {
			base = path(p, depth+1)
		}
		if isEventPath(base) {
			if p := eventPaths[o.Key]; p != "" {
				return base + "." + p
			}
		}
		return attrPath(base, o.Key)
	}
	for _, o := range a.m.Outputs {
		a.fc.setOutput(a.m, o, path(o, 0))
	}
	return outs, "", true
}

// itemCondition is the HCL condition of Filter By / Find By on item x.
func itemCondition(a *args) (string, bool) {
	p, ok := a.literalOf("path")
	ps, isStr := p.(string)
	if !ok || !isStr && p != nil {
		// A path left blank (null) compares the item itself, as "" does.
		return "", false
	}
	x := "x"
	if ps != "" {
		for _, k := range strings.Split(ps, ".") {
			x = attrPath(x, k)
		}
	}
	op, _ := a.literalOf("operator")
	s, _ := op.(string)
	v := a.get("comparison")
	if c := comparisons[s]; c != "" {
		return fmt.Sprintf("%s %s %s", x, c, v), true
	}
	switch s {
	case "is empty":
		return fmt.Sprintf("%s == null || %s == \"\"", x, x), true
	case "is not empty":
		return fmt.Sprintf("%s != null && %s != \"\"", x, x), true
	case "in":
		return fmt.Sprintf("contains(%s, %s)", v, x), true
	}
	return "", false
}

var dateUnits = map[string]string{"seconds": "1s", "minutes": "1m", "hours": "1h", "days": "24h", "weeks": "168h"}

func dateShift(sign string) kernelFunc {
	return func(a *args) (map[string]string, string, bool) {
		u, _ := a.literalOf("unit")
		us, _ := u.(string)
		d := dateUnits[strings.ToLower(us)]
		if d == "" || !a.has("start") {
			return nil, "", false
		}
		hours := strings.TrimSuffix(d, "h")
		unit := d[len(d)-1:]
		mult := "1"
		if d != "1"+unit {
			mult = hours
		}
		return one(fmt.Sprintf(`timeadd(%s, "%s${%s * %s}%s")`, a.get("start"), strings.TrimPrefix(sign, "+"), a.get("scale"), mult, unit))
	}
}
