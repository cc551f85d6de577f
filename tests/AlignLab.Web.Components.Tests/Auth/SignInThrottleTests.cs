using AlignLab.Web.Auth;

namespace AlignLab.Web.Components.Tests.Auth;

public sealed class SignInThrottleTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void AfterFiveFailuresEachFailureLocksTheNameTwiceAsLongUntilASuccess()
    {
        var clock = new Clock();
        var throttle = new SignInThrottle(clock);
        for (int i = 0; i < SignInThrottle.FreeFailures; i++) throttle.Failed("alice", "10.0.0.1");
        Assert.Null(throttle.LockedFor("alice", "10.0.0.2"));
        throttle.Failed("alice", "10.0.0.1");                              // 6th: 1 s
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.LockedFor("ALICE", "10.0.0.2"));
        throttle.Failed("alice", "10.0.0.1");                              // 7th: 2 s
        throttle.Failed("alice", "10.0.0.1");                              // 8th: 4 s
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.LockedFor("alice", "10.0.0.9"));
        Assert.Null(throttle.LockedFor("bob", "10.0.0.9"));                 // another name from another address
        clock.Now += TimeSpan.FromSeconds(4);
        Assert.Null(throttle.LockedFor("alice", "10.0.0.9"));
        throttle.Succeeded("alice");
        throttle.Failed("alice", "10.0.0.9");
        Assert.Null(throttle.LockedFor("alice", "10.0.0.9"));              // the count started again
    }

    [Fact]
    public void OneAddressTryingManyNamesIsLockedToo()
    {
        var clock = new Clock();
        var throttle = new SignInThrottle(clock);
        for (int i = 0; i <= SignInThrottle.FreeFailuresPerAddress; i++) throttle.Failed($"user{i}", "10.0.0.1");
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.LockedFor("someone-else", "10.0.0.1"));
        Assert.Null(throttle.LockedFor("someone-else", "10.0.0.2"));
    }

    [Fact]
    public void LocksStopGrowingAtFifteenMinutesAndCountsAreForgottenAfterAnHour()
    {
        var clock = new Clock();
        var throttle = new SignInThrottle(clock);
        for (int i = 0; i < 40; i++) throttle.Failed("alice", "a");
        Assert.Equal(SignInThrottle.MaxLock, throttle.LockedFor("alice", "b"));
        clock.Now += SignInThrottle.Memory + TimeSpan.FromSeconds(1);
        throttle.Failed("alice", "a");
        Assert.Null(throttle.LockedFor("alice", "b"));
    }

    [Theory]
    [InlineData("aaaaaaaaaa", "different characters")]
    [InlineData("1234567890", "too common")]
    [InlineData("abcdefghijkl", "too common")]
    [InlineData("Password123", "too common")]
    [InlineData("short", "at least 10 characters")]
    [InlineData("a-long-password", null)]
    public void WeakPasswordsAreRefused(string password, string? error)
    {
        var found = AccountRules.CheckPassword(password);
        if (error is null) Assert.Null(found);
        else Assert.Contains(error, found);
    }
}
