namespace Gateway.Bench.Mqtt;

/// <summary>One timed publish run: wall time from start (connect included) to the last PUBACK, and the CPU the publisher used.</summary>
internal readonly record struct PublishRun(TimeSpan Elapsed, TimeSpan Cpu);
