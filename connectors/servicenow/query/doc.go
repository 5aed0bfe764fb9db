// Package query parses, prints and evaluates ServiceNow encoded queries (the
// sysparm_query language of the Table API).
//
// It implements the subset a "records updated since T" poller, `cardflow
// validate` and the Table API emulator need (reference §2.4): the comparison
// operators, IN, LIKE, STARTSWITH/ENDSWITH, the emptiness operators, BETWEEN,
// SAMEAS, the ^, ^OR and ^NQ joins, ORDERBY/ORDERBYDESC and a trailing ^EQ.
// There is ONE parser and ONE printer so the three users can never disagree on
// what a query means.
//
// Precedence follows the platform: ^OR binds only the conditions on either
// side of it, ^ ANDs terms inside a group, and ^NQ starts a new group; groups
// are ORed. So `a=1^ORb=2^c=3` is (a=1 OR b=2) AND c=3.
//
// The package does no I/O and evaluates no JavaScript: `javascript:` values
// are kept verbatim. ResolveValue and Query.Resolve turn the one form the
// poller needs, gs.dateGenerate('date','time'), into a UTC literal.
package query
