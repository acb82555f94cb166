package subscriber

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/validation"
)

func TestInputValidate(t *testing.T) {
	t.Parallel()
	ok := Input{Username: "alice.w", Name: "Alice W", Phone: "+254 700-123456", PPPoEUsername: "alice@isp", PPPoEPassword: "pw with spaces"}
	tests := []struct {
		name   string
		edit   func(*Input)
		field  string // "" = valid
		reason string // substring of the message
	}{
		{"Valid", func(*Input) {}, "", ""},
		{"UsernameRequired", func(in *Input) { in.Username = "  " }, "username", "is required"},
		{"UsernameSpace", func(in *Input) { in.Username = "alice w" }, "username", "printable ASCII"},
		{"UsernameNonASCII", func(in *Input) { in.Username = "jürgen" }, "username", "printable ASCII"},
		{"UsernameTooLong", func(in *Input) { in.Username = strings.Repeat("a", 65) }, "username", "at most 64"},
		{"Username64", func(in *Input) { in.Username = strings.Repeat("a", 64) }, "", ""},
		{"NameTooLong", func(in *Input) { in.Name = strings.Repeat("n", 101) }, "name", "at most 100"},
		{"NameOptional", func(in *Input) { in.Name = "" }, "", ""},
		{"PhoneOptional", func(in *Input) { in.Phone = "" }, "", ""},
		{"PhoneLetters", func(in *Input) { in.Phone = "call me" }, "phone", "digits"},
		{"PhoneNoDigit", func(in *Input) { in.Phone = "+ -" }, "phone", "digits"},
		{"PhoneTooLong", func(in *Input) { in.Phone = strings.Repeat("1", 33) }, "phone", "at most 32"},
		{"PPPoEUsernameSpace", func(in *Input) { in.PPPoEUsername = "a b" }, "pppoeUsername", "printable"},
		{"PasswordNeedsUsername", func(in *Input) { in.PPPoEUsername = "" }, "pppoeUsername", "required when a PPPoE password"},
		{"NoCredentialsAtAll", func(in *Input) { in.PPPoEUsername, in.PPPoEPassword = "", "" }, "", ""},
		{"PasswordTooLong", func(in *Input) { in.PPPoEPassword = strings.Repeat("p", 129) }, "pppoePassword", "at most 128"},
		{"Password128", func(in *Input) { in.PPPoEPassword = strings.Repeat("p", 128) }, "", ""},
		{"PasswordControl", func(in *Input) { in.PPPoEPassword = "a\nb" }, "pppoePassword", "control"},
		{"PasswordAndClear", func(in *Input) { in.ClearPPPoEPassword = true }, "pppoePassword", "leave empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := ok
			tt.edit(&in)
			_, err := in.validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ve validation.Errors
			require.ErrorAs(t, err, &ve)
			require.Contains(t, ve[tt.field], tt.reason)
			require.NotContains(t, ve.Error(), in.PPPoEPassword, "messages never echo the password")
		})
	}

	t.Run("Normalises", func(t *testing.T) {
		t.Parallel()
		plan := uuid.New()
		got, err := Input{Username: " bob ", Name: " Bob ", Phone: " 0700 ", PlanID: &plan, PPPoEUsername: " bob@isp ", PPPoEPassword: " kept as typed "}.validate()
		require.NoError(t, err)
		require.Equal(t, Input{Username: "bob", Name: "Bob", Phone: "0700", PlanID: &plan, PPPoEUsername: "bob@isp", PPPoEPassword: " kept as typed "}, got)
	})
}

func TestPlanInputValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    PlanInput
		field string
	}{
		{"Valid", PlanInput{Name: "Home 10", Group: "home-10:v2_a"}, ""},
		{"NameRequired", PlanInput{Name: " ", Group: "home"}, "name"},
		{"NameTooLong", PlanInput{Name: strings.Repeat("n", 101), Group: "home"}, "name"},
		{"GroupRequired", PlanInput{Name: "Home", Group: ""}, "genieacsGroup"},
		{"GroupDot", PlanInput{Name: "Home", Group: "home.10"}, "genieacsGroup"},
		{"GroupSpace", PlanInput{Name: "Home", Group: "home 10"}, "genieacsGroup"},
		{"GroupTooLong", PlanInput{Name: "Home", Group: strings.Repeat("g", 65)}, "genieacsGroup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.in.validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ve validation.Errors
			require.ErrorAs(t, err, &ve)
			require.Contains(t, ve, tt.field)
			require.Len(t, ve, 1)
		})
	}
}
