// Command ztrisk-codegen-dotnet writes the C# SDK of a schema read from stdin into the directory it is given,
// with the C# generator of pkg/v3 v3.206.0 (the newest release in which pkg/v3 carried it; it now lives in
// pulumi-dotnet, whose modules the proxy does not serve). pulumi-language-dotnet (../main.go) runs it.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// logo is a 1×1 transparent PNG: the generator downloads the NuGet package's icon from the internet (Pulumi's
// logo when the schema names none), which neither this machine nor CI can reach; the icon is packaging only.
const logo = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

type offline struct{}

func (offline) RoundTrip(req *http.Request) (*http.Response, error) {
	png, err := base64.StdEncoding.DecodeString(logo)
	if err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(png)), Request: req}, nil
}

func main() {
	http.DefaultTransport = offline{}
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: %s DIRECTORY < schema.json", filepath.Base(os.Args[0])))
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		fail(err)
	}
	// The component provider's schema refers to no other package, so no loader is needed to bind it.
	pkg, err := schema.ImportSpec(spec, map[string]schema.Language{"csharp": dotnet.Importer}, schema.ValidationOptions{})
	if err != nil {
		fail(err)
	}
	files, err := dotnet.GeneratePackage("pulumi-language-dotnet", pkg, nil, nil)
	if err != nil {
		fail(err)
	}
	for name, data := range files {
		out := filepath.Join(os.Args[1], name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "ztrisk-codegen-dotnet: %v\n", err)
	os.Exit(1)
}
