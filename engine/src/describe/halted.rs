//! A halted stage (`StageHalted`, a NaN or infinite training loss) in one line, the same in the
//! TUI log, the headless output and `report.md`.

use crate::protocol::Event;

/// The one line front ends and the report show for a `StageHalted` event (`None` for other
/// events).
pub fn halted_line(event: &Event) -> Option<String> {
    let Event::StageHalted {
        model,
        arm,
        epoch,
        batch,
        loss,
        run_goes_on,
        ..
    } = event
    else {
        return None;
    };
    Some(format!(
        "{model} {} arm: training loss {loss} at epoch {epoch}, batch {batch}: stage halted, {}",
        arm.as_str(),
        if *run_goes_on {
            "the run goes on from its best epoch so far"
        } else {
            "the run stops"
        }
    ))
}
