//! STUB: to be replaced by the real family.

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};

/// STUB.
pub struct Birthday;

static PARAMS: &[ParamSpec] = &[ParamSpec { key: "n", help: "stub", kind: ParamKind::Int { min: 1, max: 100, draw: [(1, 10), (10, 20), (20, 40)] } }];

impl Family for Birthday {
    fn id(&self) -> &'static str { "hashing.birthday" }
    fn version(&self) -> u32 { 1 }
    fn topic(&self) -> Topic { Topic::Hashing }
    fn title(&self) -> &'static str { "stub" }
    fn params(&self) -> &'static [ParamSpec] { PARAMS }
    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let n = cx.int("n");
        Ok(Question::new(Content::new().p(format!("What is {n}?")), vec![AnswerSlot::new("", Expected::Integer { value: n })], Content::new(), Content::new()))
    }
    fn cross_check(&self, _q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> { Ok(()) }
}
