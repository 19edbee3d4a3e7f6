// The check's plumbing: the SDK client, and the record of each operation with the shape of its answer.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apiclient"
	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

type check struct {
	ctx        context.Context
	baseURL    string
	operations []string
	// The body of the last response, for the shape check.
	lastBody []byte
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "sdk check failed: "+format+"\n", args...)
	os.Exit(1)
}

// client is the SDK's typed client authenticating as Pulumi's tools do, with `Authorization: token …`.
func (c *check) client(token string) *apiclient.CloudClient { return c.authorized("token " + token) }

// lease is the client a running update uses, with `Authorization: update-token …`.
func (c *check) lease(token string) *apiclient.CloudClient {
	return c.authorized("update-token " + token)
}

func (c *check) authorized(authorization string) *apiclient.CloudClient {
	return &apiclient.CloudClient{
		BaseURL: c.baseURL,
		Executor: func(req *http.Request) (*http.Response, error) {
			req.Header.Set("Authorization", authorization)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return nil, err
			}
			c.lastBody = body
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return resp, nil
		},
	}
}

// call records an operation and stops the check at its first error.
func (c *check) call(operation string, err error) {
	c.operations = append(c.operations, operation)
	if err != nil {
		fail("%s: %v", operation, err)
	}
}

// decoded records an operation that returned a body and checks the body's shape against the
// SDK's type: the decoder ignores a missing field, so every field the type declares without
// omitempty/omitzero (the spec's required fields) must be present.
func (c *check) decoded(operation string, result any, err error) {
	c.call(operation, err)
	var raw any
	if err := json.Unmarshal(c.lastBody, &raw); err != nil {
		fail("%s: the body is not JSON: %v", operation, err)
	}
	if problem := missingFields(reflect.TypeOf(result), raw, "$"); problem != "" {
		fail("%s: %s in %s", operation, problem, c.lastBody)
	}
}

// typedAs decodes the last answer, which the SDK leaves untyped (its format depends on the query),
// into the type it must have, and checks its shape as decoded does.
func (c *check) typedAs(operation string, typed any) {
	if err := json.Unmarshal(c.lastBody, typed); err != nil {
		fail("%s: %v in %s", operation, err, c.lastBody)
	}
	var raw any
	_ = json.Unmarshal(c.lastBody, &raw)
	if problem := missingFields(reflect.TypeOf(typed), raw, "$"); problem != "" {
		fail("%s: %s in %s", operation, problem, c.lastBody)
	}
}

// Fields the SDK's Go types declare without omitempty although Pulumi's OpenAPI spec does not
// require them.
var optionalInSpec = map[string]bool{"OrganizationMember.links": true, "AppUpdateProgramResponse.aiSettings": true}

// missingFields names the first required field of t absent from the JSON value v, or "".
func missingFields(t reflect.Type, v any, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return ""
		}
		for i, item := range items {
			if problem := missingFields(t.Elem(), item, fmt.Sprintf("%s[%d]", path, i)); problem != "" {
				return problem
			}
		}
	case reflect.Struct:
		object, ok := v.(map[string]any)
		if !ok || t == reflect.TypeOf(time.Time{}) {
			return ""
		}
		for i := range t.NumField() {
			field := t.Field(i)
			if field.Anonymous {
				if problem := missingFields(field.Type, v, path); problem != "" {
					return problem
				}
				continue
			}
			name, options, _ := strings.Cut(field.Tag.Get("json"), ",")
			if name == "-" || name == "" {
				continue
			}
			value, present := object[name]
			optional := strings.Contains(options, "omitempty") || strings.Contains(options, "omitzero") || optionalInSpec[t.Name()+"."+name]
			if !present && !optional {
				return fmt.Sprintf("required field %s.%s is missing", path, name)
			}
			if problem := missingFields(field.Type, value, path+"."+name); problem != "" {
				return problem
			}
		}
	}
	return ""
}

// refused records an operation that must fail with the given HTTP status.
func (c *check) refused(operation string, status int, err error) {
	c.operations = append(c.operations, operation)
	var apiErr *apiclient.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode() != status {
		fail("%s: want HTTP %d, got %v", operation, status, err)
	}
}

func expect(what string, got, want any) {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		fail("%s: got %v, want %v", what, got, want)
	}
}

func nonEmpty(what, value string) {
	if value == "" {
		fail("%s is missing", what)
	}
}

func env(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fail("%s is not set", name)
	}
	return value
}

func ptr[T any](v T) *T { return &v }

func findToken(tokens []apitype.AccessToken, id string) *apitype.AccessToken {
	for i := range tokens {
		if tokens[i].ID == id {
			return &tokens[i]
		}
	}
	return nil
}

func findMember(members []apitype.OrganizationMember, login string) *apitype.OrganizationMember {
	for i := range members {
		if members[i].User.GitHubLogin == login {
			return &members[i]
		}
	}
	return nil
}
