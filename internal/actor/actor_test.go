package actor

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestRequire(t *testing.T) {
	t.Parallel()
	org := uuid.New()
	tests := []struct {
		role Role
		perm Permission
		ok   bool
	}{
		{RoleOwner, PermManageUsers, true},
		{RoleAdmin, PermManageUsers, true},
		{RoleAdmin, PermFirmwareDeploy, true},
		{RoleTechnician, PermDeviceAction, true},
		{RoleTechnician, PermManageUsers, false},
		{RoleTechnician, PermFirmwareDeploy, false},
		{RoleTechnician, PermManageProvisions, false},
		{RoleTechnician, PermAdvancedConfig, false},
		{RoleAdmin, PermAdvancedConfig, true},
		{RoleViewer, PermRead, true},
		{RoleViewer, PermDeviceAction, false},
		{RoleViewer, PermManageAPIKeys, false},
		{Role("root"), PermRead, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+"/"+string(tt.perm), func(t *testing.T) {
			t.Parallel()
			err := Actor{OrgID: org, Role: tt.role}.Require(tt.perm)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrForbidden)
			}
		})
	}
	t.Run("NoOrgIsForbidden", func(t *testing.T) {
		t.Parallel()
		require.ErrorIs(t, Actor{Role: RoleOwner}.Require(PermRead), ErrForbidden)
	})
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	r, ok := ParseRole("technician")
	require.True(t, ok)
	require.Equal(t, RoleTechnician, r)
	_, ok = ParseRole("Technician")
	require.False(t, ok)
}
