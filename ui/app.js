// The CRS console (docs/console.md).
