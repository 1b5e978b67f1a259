// Placeholder entry point until the host lands.
return 0;
