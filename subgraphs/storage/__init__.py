"""The storage subgraph: data connectors (rclone storage) and users' encrypted secrets."""
