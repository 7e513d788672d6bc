# etc/: the sample config (every key, commented), its man page, and the
# systemd units of mcrd.

examplesdir = $(docdir)/examples
dist_examples_DATA = %D%/mcr.ini
dist_man_MANS += %D%/mcr.ini.5
# mcrd(8) sits in src/ beside mcr(1) and daemon.c; it is listed here so
# that the daemon's documentation is installed with its units.
dist_man_MANS += src/mcrd.8

# The units are made from *.service.in with the bindir of this build, and
# installed under the prefix, where systemd looks too
# (/usr/local/lib/systemd/); a package built with --prefix=/usr gets
# /usr/lib/systemd/.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemduserunitdir = $(prefix)/lib/systemd/user
systemdsystemunit_DATA = %D%/systemd/mcrd.service
systemduserunit_DATA = %D%/systemd/user/mcrd.service
EXTRA_DIST += %D%/systemd/mcrd.service.in %D%/systemd/user/mcrd.service.in
CLEANFILES += $(systemdsystemunit_DATA) $(systemduserunit_DATA)

# The bracket keeps config.status from substituting the pattern itself.
etc_edit_unit = sed -e 's|@bindir[@]|$(bindir)|g'

%D%/systemd/mcrd.service: %D%/systemd/mcrd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(etc_edit_unit) $(srcdir)/%D%/systemd/mcrd.service.in >$@.tmp && \
	mv $@.tmp $@

%D%/systemd/user/mcrd.service: %D%/systemd/user/mcrd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(etc_edit_unit) $(srcdir)/%D%/systemd/user/mcrd.service.in >$@.tmp && \
	mv $@.tmp $@

# Delivery specs for mcr qc (issue 5): read from $(sysconfdir)/mcr/specs
# unless [qc] specs names another folder.
specsdir = $(sysconfdir)/mcr/specs
dist_specs_DATA = %D%/specs/ebu-r128-hd.ini %D%/specs/ebu-r128-s1.ini \
	%D%/specs/atsc-a85.ini %D%/specs/streaming.ini %D%/specs/web.ini \
	%D%/specs/sd-pal.ini
# Transcode profiles and line-up specs (plugins/transcode), read by the
# plugin from [transcode] profiles, by default $(sysconfdir)/mcr/profiles.
profilesdir = $(sysconfdir)/mcr/profiles
dist_profiles_DATA = \
	%D%/profiles/avc-intra-100.ini \
	%D%/profiles/dnxhr-hq.ini \
	%D%/profiles/hd-upconvert.ini \
	%D%/profiles/ntsc-dv.ini \
	%D%/profiles/pal-dv.ini \
	%D%/profiles/prores-hq.ini \
	%D%/profiles/proxy-h264.ini \
	%D%/profiles/wav-stems.ini \
	%D%/profiles/web-h264.ini \
	%D%/profiles/xdcam-hd422.ini
lineupdir = $(profilesdir)/lineup
dist_lineup_DATA = \
	%D%/profiles/lineup/dpp-uk.ini \
	%D%/profiles/lineup/ebu-ident.ini \
	%D%/profiles/lineup/smpte-hd.ini
