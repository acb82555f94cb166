// Package apidoc is the JSON API's OpenAPI 3.1 document: every /cpe
// operation and the identify callback, their parameters, authentication
// and the one error shape. It is written apart from the router (routes.go)
// and a test holds the two to each other both ways.
package apidoc

import (
	"encoding"
	"encoding/json"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/fyberpay/cpe/internal/genieacs"
)

// Route is a documented operation as the router spells it.
type Route struct{ Method, Path string }

// Routes are the documented operations.
func Routes() []Route {
	out := make([]Route, len(ops))
	for i, o := range ops {
		out[i] = Route{o.method, o.path}
	}
	return out
}

var param = regexp.MustCompile(`:([A-Za-z]+)`)

// Document builds the OpenAPI document.
func Document() *openapi3.T {
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{
			Title:   "FyberPay CPE API",
			Version: "1",
			Description: "Manage subscribers' CPEs through GenieACS. Every /cpe call takes an API key as a bearer token " +
				"(Settings › API keys); its role decides what it may do, and another organization's objects answer 404. " +
				"Errors have one shape: {\"error\": {\"code\", \"message\", \"fields\"?}}, fields naming what is wrong in the input.",
		},
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{
				"apiKey": &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme().
					WithBearerFormat("FyberPay API key").WithDescription("An API key: Authorization: Bearer <key>.")},
				"internalKey": &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("header").
					WithName("X-FyberPay-Internal-Key").WithDescription("GENIEACS_INTERNAL_KEY, sent by the provisions' ext script.")},
			},
			Schemas: openapi3.Schemas{"Error": openapi3.NewSchemaRef("", errorSchema()),
				// Not a struct on the wire: the generator refers to it, and
				// it is described here.
				"GenieacsParameterValue": openapi3.NewSchemaRef("", parameterValueSchema())},
			Responses: openapi3.ResponseBodies{
				"Error": &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("The error, in the one shape.").
					WithJSONSchemaRef(openapi3.NewSchemaRef("#/components/schemas/Error", nil))},
			},
		},
		Paths: openapi3.NewPaths(),
	}
	for _, o := range ops {
		path := param.ReplaceAllString(o.path, "{$1}")
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		op := openapi3.NewOperation()
		op.Summary = o.summary
		op.OperationID = operationID(o.method, o.path)
		for _, m := range param.FindAllStringSubmatch(o.path, -1) {
			op.AddParameter(openapi3.NewPathParameter(m[1]).WithSchema(openapi3.NewStringSchema()))
		}
		for _, q := range o.query {
			op.AddParameter(openapi3.NewQueryParameter(q).WithSchema(openapi3.NewStringSchema()))
		}
		ok := o.ok
		if len(ok) == 0 {
			ok = []int{http.StatusOK}
		}
		if in, ok := requests[o.method+" "+o.path]; ok {
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().
				WithJSONSchemaRef(schemaOf(in, doc.Components.Schemas))}
		}
		if raw, ok := rawRequests[o.method+" "+o.path]; ok {
			op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
				WithDescription(raw.description).WithContent(openapi3.NewContentWithSchema(raw.schema, []string{raw.contentType}))}
		}
		var body *openapi3.SchemaRef
		if o.body != nil {
			body = schemaOf(o.body, doc.Components.Schemas)
		}
		for _, st := range ok {
			resp := openapi3.NewResponse().WithDescription(http.StatusText(st))
			if body != nil {
				resp = resp.WithJSONSchemaRef(body)
			}
			op.AddResponse(st, resp)
		}
		op.Responses.Set("default", &openapi3.ResponseRef{Ref: "#/components/responses/Error"})
		switch {
		case o.path == "/cpe/openapi.json":
			op.Security = openapi3.NewSecurityRequirements() // no key needed
		case strings.HasPrefix(o.path, "/internal/"):
			op.Security = openapi3.NewSecurityRequirements().With(openapi3.NewSecurityRequirement().Authenticate("internalKey"))
		default:
			op.Security = openapi3.NewSecurityRequirements().With(openapi3.NewSecurityRequirement().Authenticate("apiKey"))
		}
		item.SetOperation(o.method, op)
	}
	return doc
}

func errorSchema() *openapi3.Schema {
	inner := openapi3.NewObjectSchema().
		WithProperty("code", openapi3.NewStringSchema()).
		WithProperty("message", openapi3.NewStringSchema()).
		WithProperty("fields", openapi3.NewObjectSchema().WithAdditionalProperties(openapi3.NewStringSchema()))
	inner.Required = []string{"code", "message"}
	s := openapi3.NewObjectSchema().WithProperty("error", inner)
	s.Required = []string{"error"}
	return s
}

// operationID is "get_cpe_devices_id" for GET /cpe/devices/:id.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '/' || r == '-' || r == '.':
			b.WriteByte('_')
		}
	}
	return b.String()
}

var (
	once sync.Once
	body []byte
)

// JSON is the document, encoded once.
func JSON() []byte {
	once.Do(func() {
		var err error
		if body, err = json.Marshal(Document()); err != nil {
			panic("apidoc: " + err.Error()) // a static document: a test catches it first
		}
	})
	return slices.Clone(body)
}

// rawRequest is a request body that is not JSON.
type rawRequest struct {
	contentType, description string
	schema                   *openapi3.Schema
}

// rawRequests are the bodies that are not JSON: the inventory CSV and the
// streamed firmware upload.
var rawRequests = map[string]rawRequest{
	"POST /cpe/devices/import": {"text/csv", "The inventory CSV (UTF-8, at most 10 MB; a header row: serial, and optionally model, subscriber, pon_port).",
		openapi3.NewStringSchema()},
	"POST /cpe/firmware": {"multipart/form-data", "The fields oui, productClass and version, then the file (streamed to GenieACS as it arrives).",
		openapi3.NewObjectSchema().
			WithProperty("oui", openapi3.NewStringSchema()).
			WithProperty("productClass", openapi3.NewStringSchema()).
			WithProperty("version", openapi3.NewStringSchema()).
			WithProperty("file", openapi3.NewStringSchema().WithFormat("binary")).
			WithRequired([]string{"oui", "productClass", "version", "file"})},
}

// parameterValueSchema is genieacs.ParameterValue as it reads and writes
// itself: [path, value, type?].
func parameterValueSchema() *openapi3.Schema {
	maxItems := uint64(3)
	return &openapi3.Schema{Type: &openapi3.Types{"array"}, MinItems: 2, MaxItems: &maxItems,
		Items:       openapi3.NewSchemaRef("", &openapi3.Schema{}),
		Description: "[path, value, type?]: the type an xsd: name (xsd:string, xsd:unsignedInt, xsd:boolean, ...)"}
}

// textMarshaler is what JSON writes as a string (uuid.UUID, time.Time).
var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// schemaOf describes a Go value as encoding/json writes it, its named
// types as components: a type with a text form is a string (an id, a
// time); what Go may leave nil (a pointer, a slice, a map) may be null.
func schemaOf(v any, components openapi3.Schemas) *openapi3.SchemaRef {
	ref, err := openapi3gen.NewSchemaRefForValue(v, components,
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{ExportComponentSchemas: true, ExportTopLevelSchema: true}),
		// Package and type ("CpeDevice", "ActionTask"): two packages'
		// Page never meet.
		openapi3gen.CreateTypeNameGenerator(func(t reflect.Type) string {
			name := t.Name()
			if pkg := path.Base(t.PkgPath()); pkg != "apidoc" && pkg != "api" {
				name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
			}
			return strings.ToUpper(name[:1]) + name[1:]
		}),
		openapi3gen.SchemaCustomizer(func(_ string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
			nullable := s.Nullable
			base := t
			for base.Kind() == reflect.Pointer {
				base = base.Elem()
			}
			if base.Implements(textMarshaler) || reflect.PointerTo(base).Implements(textMarshaler) {
				format := ""
				if base == reflect.TypeFor[time.Time]() {
					format = "date-time"
				}
				*s = openapi3.Schema{Type: &openapi3.Types{"string"}, Format: format}
			}
			if base == reflect.TypeFor[genieacs.ParameterValue]() {
				*s = *parameterValueSchema()
			}
			if base.Kind() == reflect.Slice || base.Kind() == reflect.Map {
				nullable = true
			}
			if nullable && s.Type != nil && !s.Type.Includes("null") {
				types := append(append(openapi3.Types{}, *s.Type...), "null")
				s.Type = &types
			}
			s.Nullable = false
			return nil
		}))
	if err != nil {
		panic("apidoc: " + err.Error()) // a static document: a test catches it first
	}
	return ref
}

// Operation is one documented operation for people (the API reference
// page).
type Operation struct {
	Method, Path, Summary string
	Query                 []string
	Statuses              []int
	// Answer and Body tell whether the success answer and the request
	// body are described in the document.
	Answer, Body bool
}

// Group is the operations under one resource ("devices", "tasks").
type Group struct {
	Name       string
	Operations []Operation
}

// Groups are the documented operations by resource, each group where its
// first operation stands in the document.
func Groups() []Group {
	var out []Group
	at := map[string]int{}
	for _, o := range ops {
		name := strings.TrimPrefix(strings.TrimPrefix(o.path, "/internal"), "/cpe/")
		name, _, _ = strings.Cut(name, "/")
		name = strings.TrimSuffix(name, ".csv")
		i, seen := at[name]
		if !seen {
			i = len(out)
			at[name] = i
			out = append(out, Group{Name: name})
		}
		ok := o.ok
		if len(ok) == 0 {
			ok = []int{http.StatusOK}
		}
		_, body := requests[o.method+" "+o.path]
		if _, raw := rawRequests[o.method+" "+o.path]; raw {
			body = true
		}
		out[i].Operations = append(out[i].Operations, Operation{Method: o.method, Path: param.ReplaceAllString(o.path, "{$1}"),
			Summary: o.summary, Query: o.query, Statuses: ok, Answer: o.body != nil, Body: body})
	}
	return out
}
