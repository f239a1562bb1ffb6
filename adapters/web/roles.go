package web

import (
	"slices"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// Role is what a staff member is in the complaint procedure; core/workflow
// defines the roles and their names, this package what each may see.
type Role = workflow.Role

// The roles. docs/roles.md explains them; the table below is what they may do.
const (
	RoleAdmin       = workflow.RoleAdmin
	RoleVerifikator = workflow.RoleVerifikator
	RoleKoordinator = workflow.RoleKoordinator
	RolePimpinan    = workflow.RolePimpinan
	RoleAuditor     = workflow.RoleAuditor
)

// Roles lists every role, in the order forms show them.
var Roles = workflow.Roles()

// Permission is one thing a signed-in user may see or do.
type Permission string

// The permissions.
const (
	PermViewInbox       Permission = "inbox.view"         // the inbox and a conversation's thread
	PermReply           Permission = "conversation.reply" // reply, canned responses, retry a failed reply
	PermTakeover        Permission = "conversation.takeover"
	PermAssign          Permission = "conversation.assign"
	PermNote            Permission = "conversation.note"
	PermEditIdentity    Permission = "identity.edit" // correct or confirm the identity checklist
	PermForward         Permission = "complaint.forward"
	PermViewNIK         Permission = "identity.nik" // the whole NIK; others see it masked
	PermViewKTP         Permission = "identity.ktp" // KTP images (every view audited)
	PermWalkin          Permission = "walkin.create"
	PermViewChannels    Permission = "channels.view"
	PermPairWhatsApp    Permission = "channels.pair"   // ask for a WhatsApp phone pairing code
	PermViewAttachments Permission = "attachment.view" // files other than the KTP
	PermViewComplaints  Permission = "complaint.view"  // the complaints list, a complaint's page, its berita acara
	PermActComplaint    Permission = "complaint.act"   // the workflow's forms; core/workflow says which, by role and status
	PermMessageReporter Permission = "complaint.message"
	PermDossier         Permission = "complaint.dossier" // the whole file as one zip (every download audited)
	PermViewStats       Permission = "stats.view"        // the monthly statistics and their CSV and Excel files
	PermViewAudit       Permission = "audit.view"        // the audit log viewer and its CSV export
	PermManageUsers     Permission = "users.manage"      // add, disable, enable users, reset passwords, change roles
	PermManageCanned    Permission = "canned.manage"     // add, edit, delete and reorder canned responses
	PermManageCalendar  Permission = "calendar.manage"   // add or replace a year of holidays (the working-day calendar)
)

// permissions is the one table of who may do what; docs/roles.md shows it
// and TestRolesDocumented keeps the two the same.
var permissions = map[Permission][]Role{
	PermViewInbox:       {RoleAdmin, RoleVerifikator, RoleKoordinator, RolePimpinan, RoleAuditor},
	PermReply:           {RoleAdmin},
	PermTakeover:        {RoleAdmin},
	PermAssign:          {RoleAdmin, RoleKoordinator},
	PermNote:            {RoleAdmin, RoleVerifikator, RoleKoordinator},
	PermEditIdentity:    {RoleAdmin},
	PermForward:         {RoleAdmin},
	PermViewNIK:         {RoleAdmin, RoleVerifikator},
	PermViewKTP:         {RoleAdmin, RoleVerifikator},
	PermWalkin:          {RoleAdmin},
	PermViewChannels:    {RoleAdmin, RoleKoordinator, RolePimpinan, RoleAuditor},
	PermPairWhatsApp:    {RoleAdmin},
	PermViewAttachments: {RoleAdmin, RoleVerifikator, RoleKoordinator, RoleAuditor},
	PermViewComplaints:  {RoleAdmin, RoleVerifikator, RoleKoordinator, RolePimpinan, RoleAuditor},
	PermActComplaint:    {RoleAdmin, RoleVerifikator, RoleKoordinator},
	PermMessageReporter: {RoleKoordinator},
	PermDossier:         {RoleAdmin, RoleVerifikator, RoleKoordinator, RoleAuditor},
	PermViewStats:       {RoleAdmin, RolePimpinan, RoleAuditor},
	PermViewAudit:       {RoleAdmin, RoleAuditor},
	PermManageUsers:     {RoleAdmin},
	PermManageCanned:    {RoleAdmin},
	PermManageCalendar:  {RoleAdmin},
}

// can reports whether role r has permission p.
func can(r Role, p Permission) bool { return slices.Contains(permissions[p], r) }
