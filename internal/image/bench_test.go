package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkReadOnePass reads a docker-archive stream with one 8 MiB layer,
// half random and half zeros, the way a streamLayeredImage output is read.
func BenchmarkReadOnePass(b *testing.B) {
	archive := syntheticArchive(b, 8<<20)
	b.SetBytes(int64(len(archive)))
	b.ResetTimer()
	for b.Loop() {
		out, err := readOnePass(bytes.NewReader(archive), "bench")
		if err != nil {
			b.Fatal(err)
		}
		out.Close()
	}
}

// syntheticArchive builds a docker-archive whose one layer is a tar holding
// a file of n bytes.
func syntheticArchive(b *testing.B, n int) []byte {
	b.Helper()
	content := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n/2; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n/2; j++ {
			content[i+j] = byte(v >> (8 * j))
		}
	}
	var layer bytes.Buffer
	lw := tar.NewWriter(&layer)
	add := func(w *tar.Writer, name string, data []byte) {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			b.Fatal(err)
		}
	}
	add(lw, "data", content)
	if err := lw.Close(); err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(layer.Bytes())
	diffID := hex.EncodeToString(sum[:])
	config := fmt.Appendf(nil, `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}`, diffID)
	manifest := fmt.Appendf(nil, `[{"Config":"config.json","RepoTags":["bench:1"],"Layers":["%s/layer.tar"]}]`, diffID)

	var archive bytes.Buffer
	aw := tar.NewWriter(&archive)
	add(aw, diffID+"/layer.tar", layer.Bytes())
	add(aw, "config.json", config)
	add(aw, "manifest.json", manifest)
	if err := aw.Close(); err != nil {
		b.Fatal(err)
	}
	return archive.Bytes()
}
