//! Russian texts.

use super::Key;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::SkipToContent => "Перейти к содержимому",
        Key::NavHome => "Главная",
        Key::NavOpenApp => "Открыть приложение",
        #[cfg(feature = "chat")]
        Key::NavChat => "Чат",
        Key::ThemeLabel => "Цветовая тема",
        Key::ThemeSystem => "Системная тема",
        Key::ThemeLight => "Светлая тема",
        Key::ThemeDark => "Тёмная тема",
        Key::LanguageLabel => "Язык",
        Key::Loading => "Загрузка…",
        Key::ErrorGeneric => "Что-то пошло не так. Попробуйте ещё раз.",
        Key::FooterTagline => "ИИ-чат, аккаунты и оплата в одной кодовой базе на Rust.",
        Key::FooterRights => "Все права защищены.",
        Key::HeroTitle => "Ваш ИИ-ассистент — всегда под рукой",
        Key::HeroSubtitle => {
            "Зарегистрируйтесь за секунды, выберите способ оплаты и работайте с ведущими ИИ-моделями. Ваши разговоры принадлежат только вам."
        }
        Key::CtaLearnMore => "Как это работает",
        Key::FeaturesTitle => "Всё нужное, ничего лишнего",
        Key::FeatureAccountsTitle => "Аккаунт — как вам удобно",
        Key::FeatureAccountsBody => "Входите удобным способом. Приглашённые гости получают доступ без оплаты.",
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingTitle => "Простая и безопасная оплата",
        #[cfg(feature = "stripe_payment")]
        Key::FeatureBillingBody => "Оплата картой через Stripe. Меняйте тариф или отменяйте подписку в любой момент.",
        #[cfg(feature = "chat")]
        Key::FeatureChatTitle => "Потоковый ИИ-чат",
        #[cfg(feature = "chat")]
        Key::FeatureChatBody => "Ответы появляются по мере написания — от выбранной вами модели.",
        Key::FeatureFastTitle => "Быстро на любом устройстве",
        Key::FeatureFastBody => "Лёгкая страница, одинаково удобная на телефоне и на компьютере.",
        Key::NotFoundTitle => "Страница не найдена",
        Key::NotFoundBody => "Страница, которую вы ищете, не существует или была перемещена.",
        Key::NotFoundBack => "Вернуться на главную",
        Key::HoldingTitle => "Вы в системе",
        Key::HoldingBody => "Ваш аккаунт готов. Новые возможности уже в пути — мы сообщим, когда они появятся.",
        #[cfg(feature = "chat")]
        Key::ChatTitle => "Чат",
        #[cfg(feature = "chat")]
        Key::ChatEmptyTitle => "Начните разговор",
        #[cfg(feature = "chat")]
        Key::ChatEmptyBody => "Здесь появятся ваши разговоры.",
    }
}
