"""Engines that run dedup elsewhere than in this process (Spark)."""
