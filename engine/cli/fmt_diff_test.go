package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{
			name: "equal",
			a:    "a\nb\n",
			b:    "a\nb\n",
			want: "",
		},
		{
			name: "two hunks far apart",
			a:    "1\nx=1\n3\n4\n5\n6\n7\n8\n9\n10\ny=2\n12\n",
			b:    "1\nx = 1\n3\n4\n5\n6\n7\n8\n9\n10\ny = 2\n12\n",
			want: "--- f.hcl\n+++ f.hcl (formatted)\n" +
				"@@ -1,5 +1,5 @@\n 1\n-x=1\n+x = 1\n 3\n 4\n 5\n" +
				"@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-y=2\n+y = 2\n 12\n",
		},
		{
			name: "close changes share a hunk",
			a:    "a=1\nb\nc=1\n",
			b:    "a = 1\nb\nc = 1\n",
			want: "--- f.hcl\n+++ f.hcl (formatted)\n" +
				"@@ -1,3 +1,3 @@\n-a=1\n+a = 1\n b\n-c=1\n+c = 1\n",
		},
		{
			name: "added final newline",
			a:    "a\nb",
			b:    "a\nb\n",
			want: "--- f.hcl\n+++ f.hcl (formatted)\n" +
				"@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			name: "insertion into an empty file",
			a:    "",
			b:    "a\n",
			want: "--- f.hcl\n+++ f.hcl (formatted)\n@@ -0,0 +1 @@\n+a\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unifiedDiff("f.hcl", []byte(tt.a), []byte(tt.b))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
