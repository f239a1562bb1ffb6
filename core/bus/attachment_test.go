package bus_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/nats-io/nats.go/jetstream"
)

func TestAttachmentStoredOnceBySHA256(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	// Larger than one object store chunk (128 KiB).
	data := bytes.Repeat([]byte("KTP photo bytes "), 20000)
	sum := sha256.Sum256(data)
	wantSHA := hex.EncodeToString(sum[:])

	var keys []string
	for _, name := range []string{"ktp.jpg", "same-photo-again.jpg"} {
		key, sha, size, err := b.PutAttachment(t.Context(), bytes.NewReader(data), name, "image/jpeg")
		if err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
		if sha != wantSHA || key != "sha256/"+wantSHA || size != int64(len(data)) {
			t.Fatalf("put %s: key %s, sha %s, size %d", name, key, sha, size)
		}
		keys = append(keys, key)
	}

	obj, err := b.JetStream().ObjectStore(t.Context(), bus.AttachmentBucket)
	if err != nil {
		t.Fatal(err)
	}
	list, err := obj.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != keys[0] {
		t.Fatalf("bucket holds %d objects, want only %s", len(list), keys[0])
	}
	if st, _ := obj.Status(t.Context()); st.Size() > uint64(len(data))+4096 {
		t.Errorf("bucket uses %d bytes for %d bytes of data: a second copy was kept", st.Size(), len(data))
	}

	rc, info, err := b.GetAttachment(t.Context(), keys[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Error("attachment bytes differ")
	}
	want := bus.AttachmentInfo{Key: keys[0], SHA256: wantSHA, Filename: "ktp.jpg", MIME: "image/jpeg", Size: int64(len(data)), ModTime: info.ModTime}
	if info != want {
		t.Errorf("info %+v, want %+v", info, want)
	}
}

func TestAttachmentEmpty(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	key, _, size, err := b.PutAttachment(t.Context(), bytes.NewReader(nil), "empty.txt", "text/plain")
	if err != nil || size != 0 {
		t.Fatalf("put: size %d, err %v", size, err)
	}
	rc, _, err := b.GetAttachment(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, err := io.ReadAll(rc); err != nil || len(got) != 0 {
		t.Fatalf("read %q, %v", got, err)
	}
}

func TestAttachmentNotFound(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	_, _, err := b.GetAttachment(t.Context(), "sha256/0000")
	if !errors.Is(err, bus.ErrAttachmentNotFound) {
		t.Fatalf("got %v, want ErrAttachmentNotFound", err)
	}
}

func TestAttachmentReaderErrorLeavesNothing(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	broken := io.MultiReader(bytes.NewReader([]byte("partial")), errReader{})
	if _, _, _, err := b.PutAttachment(context.Background(), broken, "x", "y"); err == nil {
		t.Fatal("put from a failing reader succeeded")
	}
	obj, err := b.JetStream().ObjectStore(t.Context(), bus.AttachmentBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obj.List(t.Context()); !errors.Is(err, jetstream.ErrNoObjectsFound) {
		t.Fatalf("bucket not empty after a failed put: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
