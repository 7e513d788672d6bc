# plugins/: one libtool module per duty, loaded by mcr-worker through the
# versioned plugin ABI. The daemon issue adds the ABI and plugins/storage.
