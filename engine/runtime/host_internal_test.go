package runtime

import (
	"context"
	"testing"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestTableScanSeesTheAttemptsWrites: a scan merges the rows the attempt
// staged (put, replaced, deleted) into the store's, in key order.
func TestTableScanSeesTheAttemptsWrites(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	for _, k := range []string{"a", "c", "e", "g"} {
		if err := st.TablePut(ctx, "t", k, []byte(`{"v":"`+k+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	h := &host{}
	h.stage(store.TableWrite{Table: "t", Key: "b", Row: []byte(`{"v":"b*"}`)})
	h.stage(store.TableWrite{Table: "t", Key: "c", Row: []byte(`{"v":"c*"}`)})
	h.stage(store.TableWrite{Table: "t", Key: "e"})
	h.stage(store.TableWrite{Table: "t", Key: "z", Row: []byte(`{"v":"z*"}`)})
	h.stage(store.TableWrite{Table: "other", Key: "d", Row: []byte(`{"v":"d*"}`)})
	tb := &table{decl: &config.Table{Name: "t", Columns: []config.Column{{Name: "v", Type: config.TypeConstraint{Type: cty.String}}}}, store: st, host: h}

	scan := func(limit int) []string {
		var got []string
		err := tb.Scan(ctx, func(key string, row cty.Value) bool {
			got = append(got, key+"="+row.GetAttr("v").AsString())
			return len(got) < limit
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{"a=a", "b=b*", "c=c*", "g=g", "z=z*"}
	if diff := cmp.Diff(want, scan(100)); diff != "" {
		t.Errorf("scan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:2], scan(2)); diff != "" {
		t.Errorf("scan stopped after two (-want +got):\n%s", diff)
	}
	if found, err := tb.Delete(ctx, "e"); err != nil || found {
		t.Errorf("Delete of a row the attempt deleted = %v, %v, want false", found, err)
	}
	if found, err := tb.Delete(ctx, "g"); err != nil || !found {
		t.Errorf("Delete of a stored row = %v, %v, want true", found, err)
	}
	if _, found, _ := tb.Get(ctx, "g"); found {
		t.Error("Get finds a row the attempt deleted")
	}
}
