using AlignLab.Core.Previews;

namespace AlignLab.Core.Tests;

/// <summary>A node computes at most so many previews at once; the next waits for a slot and is turned away (null) when
/// none comes free in time; a slot given back (once, however often disposed) lets the next one in.</summary>
public sealed class PreviewGateTests
{
    [Fact]
    public async Task AtMostTheBoundRunAtOnceAndTheNextIsTurnedAwayOnlyUntilASlotIsGivenBack()
    {
        using var gate = new PreviewGate(concurrent: 2, wait: TimeSpan.FromMilliseconds(20));
        var first = await gate.EnterAsync();
        var second = await gate.EnterAsync();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(await gate.EnterAsync());

        first!.Dispose();
        first.Dispose();                                   // giving back twice frees one slot, not two
        var third = await gate.EnterAsync();
        Assert.NotNull(third);
        Assert.Null(await gate.EnterAsync());

        // A waiter gets the slot as soon as one is given back.
        using var patient = new PreviewGate(concurrent: 1, wait: TimeSpan.FromSeconds(30));
        var held = await patient.EnterAsync();
        var waiting = patient.EnterAsync();
        Assert.False(waiting.IsCompleted);
        held!.Dispose();
        Assert.NotNull(await waiting);
    }
}
